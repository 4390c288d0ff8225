namespace Reputation.Core.Scoring;

/// <summary>
/// How suspect the service's own customer base reads as a template's sharers: every customer base
/// has new, dormant and light users, so a popular tool's template, shared by a sample of the
/// customers, reads their share as its suspicion (0.14–0.19 on `partner-intel`) however honest the
/// tool is. The base is the median suspicion of the templates its customers vouch for — a sample of
/// at least <see cref="MinSampled"/> sharers, one near-duplicate group, not one cohort, and vouched
/// for by most of them (suspicion under <see cref="MaxSuspicion"/>) — and a template's suspicion is
/// weighed by how far it exceeds that base (<see cref="Beyond"/>), rather than from zero
/// (docs/decisions/0049-customer-base.md). Pure, so it is unit-tested without a silo.
/// </summary>
public static class CustomerBase
{
    /// <summary>Sampled sharers a template needs before its suspicion speaks of the customer base: half the sample's 64.</summary>
    public const int MinSampled = 32;

    /// <summary>A template speaks of the customer base while most of its sharers vouch for it: its suspicion stays under this.</summary>
    public const double MaxSuspicion = 0.5;

    /// <summary>Templates the base needs before it is read; 0 with fewer (each template read from zero, as before).</summary>
    public const int MinTemplates = 3;

    /// <summary>How long a template's report counts after it was made (event time): an hour, as the other figures a template reports.</summary>
    public static readonly TimeSpan ReportsCountFor = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether a template's suspicion speaks of the customer base: enough sharers (<see cref="MinSampled"/>),
    /// one near-duplicate group (a bucket holding a tool's prompt and a harvest template judges them apart),
    /// not one cohort (a class or a team is one group, not a sample of the customers), and vouched for
    /// by most of its sharers (a campaign's young or dormant accounts do not).
    /// </summary>
    public static bool Speaks(int sampled, bool oneGroup, bool isCohort, double suspicion) =>
        sampled >= MinSampled && oneGroup && !isCohort && suspicion < MaxSuspicion;

    /// <summary>The median of the templates' suspicions (<see cref="Speaks"/>); 0 with fewer than <see cref="MinTemplates"/>.</summary>
    public static double Of(Span<double> suspicions)
    {
        var n = suspicions.Length;
        if (n < MinTemplates)
        {
            return 0;
        }

        suspicions.Sort();
        return n % 2 == 1 ? suspicions[n / 2] : (suspicions[(n / 2) - 1] + suspicions[n / 2]) / 2;
    }

    /// <summary>
    /// A template's suspicion weighed by how far it exceeds the base, 0..1: (s − base) / (1 − base),
    /// so a template read as suspect as the customer base weighs nothing and one whose sharers are all
    /// young or dormant still weighs 1. The suspicion itself with no base (0).
    /// </summary>
    public static double Beyond(double suspicion, double baseline)
    {
        var s = Math.Clamp(suspicion, 0, 1);
        var b = Math.Clamp(baseline, 0, MaxSuspicion);
        return b <= 0 ? s : Math.Clamp((s - b) / (1 - b), 0, 1);
    }
}

/// <summary>
/// The templates' latest reports (<see cref="CustomerBase"/>), one per template, bounded: at most
/// <see cref="Capacity"/> templates, the one reported longest ago making room. Not thread-safe.
/// </summary>
public sealed class CustomerBaseReports
{
    /// <summary>Templates kept.</summary>
    public const int Capacity = 1024;

    private readonly Dictionary<string, (double Suspicion, DateTimeOffset At)> _reports = new(StringComparer.Ordinal);
    private double[] _buffer = [];

    /// <summary>Templates with a report kept (speaking or not).</summary>
    public int Count => _reports.Count;

    /// <summary>
    /// Takes a template's report at <paramref name="at"/> (event time): its suspicion when it speaks of
    /// the customer base (<see cref="CustomerBase.Speaks"/>), null when it no longer does. A report
    /// older than the one kept is ignored.
    /// </summary>
    /// <returns>Whether the kept reports changed.</returns>
    public bool Report(string template, double? suspicion, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(template);
        var value = suspicion is { } s ? Math.Clamp(s, 0, 1) : double.NaN;
        if (_reports.TryGetValue(template, out var kept))
        {
            if (at < kept.At)
            {
                return false;
            }

            _reports[template] = (value, at);
            return !kept.Suspicion.Equals(value) || at != kept.At;
        }

        if (double.IsNaN(value))
        {
            return false;
        }

        if (_reports.Count >= Capacity)
        {
            var oldest = _reports.MinBy(p => p.Value.At).Key;
            _reports.Remove(oldest);
        }

        _reports[template] = (value, at);
        return true;
    }

    /// <summary>The templates that speak now, as kept here (their latest reports): what this silo tells the others.</summary>
    public List<(string Template, double Suspicion, DateTimeOffset At)> Speaking()
    {
        var speaking = new List<(string, double, DateTimeOffset)>(_reports.Count);
        foreach (var (template, (s, at)) in _reports)
        {
            if (!double.IsNaN(s))
            {
                speaking.Add((template, s, at));
            }
        }

        return speaking;
    }

    /// <summary>The base at <paramref name="now"/>: the median of the templates speaking in reports made within <see cref="CustomerBase.ReportsCountFor"/>.</summary>
    public double Baseline(DateTimeOffset now) => Baseline(now, []);

    /// <summary>
    /// The base at <paramref name="now"/> over the reports kept here and <paramref name="others"/>
    /// (other silos' speaking templates): a template reported both here and there counts once, by its
    /// newer report.
    /// </summary>
    public double Baseline(DateTimeOffset now, IReadOnlyList<(string Template, double Suspicion, DateTimeOffset At)> others)
    {
        var most = _reports.Count + others.Count;
        if (_buffer.Length < most)
        {
            _buffer = new double[Math.Max(most, 16)];
        }

        // A template another silo reported later than this one did (it moved after a silo died) counts by that report.
        HashSet<string>? newerThere = null;
        foreach (var (template, _, at) in others)
        {
            if (_reports.TryGetValue(template, out var kept) && kept.At < at)
            {
                (newerThere ??= new(StringComparer.Ordinal)).Add(template);
            }
        }

        var n = 0;
        foreach (var (template, (s, at)) in _reports)
        {
            if (!double.IsNaN(s) && now - at < CustomerBase.ReportsCountFor && newerThere?.Contains(template) != true)
            {
                _buffer[n++] = s;
            }
        }

        foreach (var (template, s, at) in others)
        {
            if (!double.IsNaN(s) && now - at < CustomerBase.ReportsCountFor
                && (!_reports.ContainsKey(template) || newerThere?.Contains(template) == true))
            {
                _buffer[n++] = s;
            }
        }

        return CustomerBase.Of(_buffer.AsSpan(0, n));
    }
}
