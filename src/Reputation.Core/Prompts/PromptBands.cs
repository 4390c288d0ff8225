using System.Globalization;

namespace Reputation.Core.Prompts;

/// <summary>
/// Locality-sensitive buckets for 64-bit prompt fingerprints: the fingerprint is cut into
/// <see cref="Bands"/> bands of 16 bits and each band, with its index, is a bucket (one prompt
/// template grain). Two fingerprints within Hamming distance 3 differ in at most 3 of the 4 bands,
/// so at least one band is identical and they share that bucket (pigeonhole). Fingerprints further
/// apart may still share one (by chance: about 4 / 65536 for unrelated ones).
/// </summary>
public static class PromptBands
{
    /// <summary>The number of 16-bit bands in a fingerprint.</summary>
    public const int Bands = 4;

    /// <summary>Bits per band.</summary>
    public const int BitsPerBand = 64 / Bands;

    /// <summary>
    /// Band <paramref name="band"/> of the fingerprint. Band 0 is the most significant 16 bits, so
    /// a band reads as the matching 4 digits of <see cref="SimHash.ToHex"/>.
    /// </summary>
    public static ushort Band(ulong fingerprint, int band)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(band);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(band, Bands);
        return (ushort)(fingerprint >> (BitsPerBand * (Bands - 1 - band)));
    }

    /// <summary>The bucket key of one band: <c>b{band}:{4 lowercase hex}</c>, e.g. <c>b0:3fa2</c>.</summary>
    public static string BucketKey(ulong fingerprint, int band) =>
        string.Create(CultureInfo.InvariantCulture, $"b{band}:{Band(fingerprint, band):x4}");

    /// <summary>The length of every bucket key (<c>b0:3fa2</c>).</summary>
    public const int BucketKeyLength = 7;

    /// <summary>Writes <see cref="BucketKey"/> into <paramref name="destination"/> (at least <see cref="BucketKeyLength"/> long) without allocating; returns the written key.</summary>
    public static ReadOnlySpan<char> FormatBucketKey(ulong fingerprint, int band, Span<char> destination)
    {
        destination[0] = 'b';
        destination[1] = (char)('0' + band);
        destination[2] = ':';
        Band(fingerprint, band).TryFormat(destination[3..], out _, "x4", CultureInfo.InvariantCulture);
        return destination[..BucketKeyLength];
    }

    /// <summary>The <see cref="Bands"/> bucket keys of a fingerprint, band 0 first.</summary>
    public static IEnumerable<string> BucketKeys(ulong fingerprint)
    {
        var keys = new string[Bands];
        for (var band = 0; band < Bands; band++)
        {
            keys[band] = BucketKey(fingerprint, band);
        }

        return keys;
    }
}
