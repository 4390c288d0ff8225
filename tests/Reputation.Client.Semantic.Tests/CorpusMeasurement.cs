using System.Globalization;
using System.Numerics;
using System.Text;

namespace Reputation.Client.Semantic.Tests;

/// <summary>Distances of one kind of prompt pair under one fingerprint.</summary>
internal sealed class PairDistances(string kind, List<int> distances, List<(ulong A, ulong B)> pairs)
{
    public static readonly int[] Radii = [3, 8, 10, 12, 14, 16, 18, 20];

    /// <summary>Band layouts as (bands, bits per band); a pair shares a bucket when any band is equal.</summary>
    public static readonly (int Bands, int Bits)[] Layouts = [(4, 16), (5, 12), (6, 10), (8, 8), (16, 4)];

    /// <summary>Candidate buckets, then the true distance: (bands, bits per band, radius).</summary>
    public static readonly (int Bands, int Bits, int Radius)[] Schemes = [(4, 16, 3), (6, 10, 12), (8, 8, 12), (8, 8, 14), (8, 8, 16)];

    public string Kind { get; } = kind;

    public int Count => distances.Count;

    public double Mean => distances.Average();

    public int Median => Sorted[Sorted.Length / 2];

    public int Min => Sorted[0];

    public int Max => Sorted[^1];

    private int[] Sorted => field ??= [.. distances.Order()];

    public double ShareWithin(int radius) => distances.Count(d => d <= radius) / (double)distances.Count;

    public double ShareBucketed(int bands, int bits) => pairs.Count(p => ShareBand(p.A, p.B, bands, bits)) / (double)pairs.Count;

    public double ShareBucketedAndWithin(int bands, int bits, int radius) =>
        pairs.Count(p => ShareBand(p.A, p.B, bands, bits) && BitOperations.PopCount(p.A ^ p.B) <= radius) / (double)pairs.Count;

    private static bool ShareBand(ulong a, ulong b, int bands, int bits)
    {
        var mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        for (var band = 0; band < bands; band++)
        {
            var shift = 64 - ((band + 1) * bits);
            if ((a >> shift & mask) == (b >> shift & mask))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Every pair kind of the corpus under one fingerprint function.</summary>
internal sealed class CorpusDistances
{
    public CorpusDistances(string name, Func<IReadOnlyList<string>, ulong[]> fingerprint)
    {
        Name = name;
        var templates = ParaphraseCorpus.Templates;
        var rendered = new List<(int Template, int Wording, int Fill, string Text)>();
        for (var t = 0; t < templates.Count; t++)
        {
            for (var w = 0; w < templates[t].Wordings.Length; w++)
            {
                for (var f = 0; f < templates[t].Fills.Length; f++)
                {
                    rendered.Add((t, w, f, templates[t].Render(w, f)));
                }
            }
        }

        var harvest = fingerprint([.. rendered.Select(r => r.Text)]);
        var ordinary = fingerprint(ParaphraseCorpus.Ordinary);

        var kinds = new Dictionary<string, (List<int> Distances, List<(ulong, ulong)> Pairs)>();
        void Add(string kind, ulong a, ulong b)
        {
            if (!kinds.TryGetValue(kind, out var entry))
            {
                kinds[kind] = entry = ([], []);
            }

            entry.Distances.Add(BitOperations.PopCount(a ^ b));
            entry.Pairs.Add((a, b));
        }

        for (var i = 0; i < rendered.Count; i++)
        {
            for (var j = i + 1; j < rendered.Count; j++)
            {
                var (a, b) = (rendered[i], rendered[j]);
                var kind = a.Template != b.Template ? DifferentTemplates
                    : a.Wording == b.Wording ? SameWordingOtherFill
                    : a.Fill == b.Fill ? RewordedSameFill
                    : RewordedOtherFill;
                Add(kind, harvest[i], harvest[j]);
            }

            foreach (var o in ordinary)
            {
                Add(HarvestVsOrdinary, harvest[i], o);
            }
        }

        for (var i = 0; i < ordinary.Length; i++)
        {
            for (var j = i + 1; j < ordinary.Length; j++)
            {
                Add(OrdinaryPairs, ordinary[i], ordinary[j]);
            }
        }

        Kinds = [.. Order.Select(k => new PairDistances(k, kinds[k].Distances, kinds[k].Pairs))];
    }

    public const string RewordedSameFill = "reworded, same fill";
    public const string RewordedOtherFill = "reworded, other fill";
    public const string SameWordingOtherFill = "same wording, other fill";
    public const string DifferentTemplates = "different harvest templates";
    public const string OrdinaryPairs = "ordinary vs ordinary";
    public const string HarvestVsOrdinary = "harvest vs ordinary";

    private static readonly string[] Order = [RewordedSameFill, RewordedOtherFill, SameWordingOtherFill, DifferentTemplates, OrdinaryPairs, HarvestVsOrdinary];

    public string Name { get; }

    public IReadOnlyList<PairDistances> Kinds { get; }

    public PairDistances this[string kind] => Kinds.Single(k => k.Kind == kind);

    /// <summary>The tables docs/prompt-fingerprints.md reports, in Markdown.</summary>
    public string Report()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder().Append(c, $"### {Name}\n\n");

        text.Append("| pairs | n | mean | median | min | max |");
        Columns(text, PairDistances.Radii.Select(r => $"≤ {r}"));
        foreach (var k in Kinds)
        {
            text.Append(c, $"| {k.Kind} | {k.Count:N0} | {k.Mean:F1} | {k.Median} | {k.Min} | {k.Max} |");
            Cells(text, PairDistances.Radii.Select(k.ShareWithin));
        }

        text.Append("\n| pairs |");
        Columns(text, PairDistances.Layouts.Select(l => $"share a bucket, {l.Bands} × {l.Bits} bits"), statistics: 0);
        foreach (var k in Kinds)
        {
            text.Append(c, $"| {k.Kind} |");
            Cells(text, PairDistances.Layouts.Select(l => k.ShareBucketed(l.Bands, l.Bits)));
        }

        text.Append("\n| pairs |");
        Columns(text, PairDistances.Schemes.Select(s => $"{s.Bands} × {s.Bits} bucket, then ≤ {s.Radius}"), statistics: 0);
        foreach (var k in Kinds)
        {
            text.Append(c, $"| {k.Kind} |");
            Cells(text, PairDistances.Schemes.Select(s => k.ShareBucketedAndWithin(s.Bands, s.Bits, s.Radius)));
        }

        return text.ToString();
    }

    private static void Columns(StringBuilder text, IEnumerable<string> headers, int statistics = 5)
    {
        var names = headers.ToList();
        foreach (var name in names)
        {
            text.Append(' ').Append(name).Append(" |");
        }

        text.Append("\n|---|").Append(string.Concat(Enumerable.Repeat("---:|", statistics + names.Count))).Append('\n');
    }

    private static void Cells(StringBuilder text, IEnumerable<double> shares)
    {
        foreach (var share in shares)
        {
            text.Append(' ').Append(Percent(share)).Append(" |");
        }

        text.Append('\n');
    }

    public static string Percent(double share) => share switch
    {
        0 => "0 %",
        1 => "100 %",
        < 0.001 => "<0.1 %",
        > 0.999 => ">99.9 %",
        _ => (share * 100).ToString("F1", CultureInfo.InvariantCulture) + " %",
    };
}
