using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Reputation.Api.Errors;
using Reputation.Core.Networks;
using Reputation.Core.Prompts;

namespace Reputation.Api.Features;

/// <summary>
/// The one reading of entity ids that labels, lists and the entity views share: what a prompt
/// template, an IP range or an opaque id looks like, and what each is called when it is wrong.
/// </summary>
internal static partial class EntityReference
{
    public const string TemplateError = "a prompt template is a bucket key (b0:3fa2) or a 16-hex prompt fingerprint";

    public const string BucketError = "must be a bucket key b{band}:{4 lowercase hex}, for example b0:3fa2";

    public const string RangeError = "an IP range is network/prefixLength, for example 198.51.100.0/24";

    /// <summary>A prompt-template bucket key: <c>b{band}:{4 lowercase hex}</c>.</summary>
    public static bool IsBucket(string? id) => id is not null && BucketPattern().IsMatch(id);

    /// <summary>A prompt template named by a bucket key (<paramref name="bucket"/>) or by a prompt fingerprint (<paramref name="fingerprint"/>).</summary>
    public static bool TryTemplate(string? id, out string? bucket, out ulong fingerprint)
    {
        fingerprint = 0;
        bucket = IsBucket(id) ? id : null;
        return bucket is not null || SimHash.TryParseHex(id, out fingerprint);
    }

    /// <summary>An IP range written <c>network/prefixLength</c>, as the range grains key it (<see cref="IpRange"/>).</summary>
    public static bool TryRange(string? id, out IpRange range, [NotNullWhen(false)] out string? error)
    {
        range = default;
        var slash = id?.LastIndexOf('/') ?? -1;
        if (slash <= 0 || !int.TryParse(id.AsSpan(slash + 1), out var prefix))
        {
            error = RangeError;
            return false;
        }

        return TryRange(id![..slash], prefix, out range, out _, out error);
    }

    /// <summary>An IP range given as its two route values; <paramref name="field"/> names the one that is wrong.</summary>
    public static bool TryRange(string network, int prefixLength, out IpRange range, out string field, [NotNullWhen(false)] out string? error)
    {
        if (IpRange.TryParse(network, prefixLength, out range, out error))
        {
            field = "";
            return true;
        }

        field = error!.StartsWith("prefixLength", StringComparison.Ordinal) ? "prefixLength" : "network";
        return false;
    }

    /// <summary>An opaque id (account, payment fingerprint): <see cref="Fields.Id"/>'s rules; the reason it is not one otherwise.</summary>
    public static bool TryId(string? id, [NotNullWhen(false)] out string? error)
    {
        var errors = new ValidationErrors();
        Fields.Id(errors, "id", id);
        error = errors.Any ? errors.First["id: ".Length..] : null;
        return error is null;
    }

    [GeneratedRegex("^b[0-3]:[0-9a-f]{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketPattern();
}
