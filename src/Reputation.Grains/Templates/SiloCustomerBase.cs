using Microsoft.Extensions.Logging;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Templates;

/// <summary>
/// How suspect the customer base reads as a template's sharers (<see cref="CustomerBase"/>): each
/// template reports whether its suspicion speaks of the customers, and reads the base back, when it
/// profiles its sharers (at most once a second while they change).
/// </summary>
public interface ICustomerBase
{
    /// <summary>
    /// Takes <paramref name="template"/>'s report at <paramref name="at"/> (event time): its
    /// suspicion when it speaks of the customer base (<see cref="CustomerBase.Speaks"/>), null when not.
    /// </summary>
    void Report(string template, double? suspicion, DateTimeOffset at);

    /// <summary>The base at <paramref name="now"/>, 0..<see cref="CustomerBase.MaxSuspicion"/>: 0 until <see cref="CustomerBase.MinTemplates"/> templates speak.</summary>
    double Baseline(DateTimeOffset now);
}

/// <summary>
/// This silo's <see cref="ICustomerBase"/>: the templates placed here, as they report, and the other
/// silos' speaking templates, exchanged through <see cref="ICustomerBaseGrain"/> every
/// <see cref="RenewEvery"/> (docs/decisions/0049-customer-base.md). Until the first exchange, or when
/// one fails, the silo reads the base over what it has. Kept in memory only: after a restart the
/// templates report again as they profile.
/// </summary>
public sealed partial class SiloCustomerBase(IGrainFactory grains, ILocalSiloDetails silo, ILogger<SiloCustomerBase> logger)
    : SiloRenewal(RenewEvery), ICustomerBase
{
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly CustomerBaseReports _reports = new();
    private IReadOnlyList<(string Template, double Suspicion, DateTimeOffset At)> _others = [];
    private (double Value, DateTimeOffset At)? _cached;

    public void Report(string template, double? suspicion, DateTimeOffset at)
    {
        lock (_gate)
        {
            _reports.Report(template, suspicion, at);
        }
    }

    /// <summary>
    /// The median is taken at most once a second of event time for the whole silo (every template
    /// that profiles asks for it): the base moves with many templates' reports, not with one.
    /// </summary>
    public double Baseline(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_cached is not { } c || now - c.At >= TimeSpan.FromSeconds(1) || now < c.At)
            {
                _cached = c = (_reports.Baseline(now, _others), now);
            }

            return c.Value;
        }
    }

    protected override async Task LoadAsync()
    {
        CustomerBaseEntry[] mine;
        lock (_gate)
        {
            mine = [.. _reports.Speaking().Select(r => new CustomerBaseEntry(r.Template, r.Suspicion, r.At))];
        }

        var others = await grains.GetGrain<ICustomerBaseGrain>(ICustomerBaseGrain.Key).MergeAsync(silo.SiloAddress.ToParsableString(), mine);
        lock (_gate)
        {
            _others = [.. others.Select(e => (e.Template, e.Suspicion, e.At))];
            _cached = null;
        }
    }

    protected override void RenewFailed(Exception exception) => LogExchangeFailed(logger, exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exchanging the customer base's speaking templates with the other silos failed; the next renewal tries again")]
    private static partial void LogExchangeFailed(ILogger logger, Exception exception);
}

/// <summary>One template's latest report of the customer base (<see cref="CustomerBase"/>): its bucket key, its suspicion, when (event time).</summary>
[GenerateSerializer, Immutable, Alias("reputation.CustomerBaseEntry")]
public readonly record struct CustomerBaseEntry(
    [property: Id(0)] string Template,
    [property: Id(1)] double Suspicion,
    [property: Id(2)] DateTimeOffset At);

/// <summary>Where the silos exchange their speaking templates (one grain, key <see cref="Key"/>), in memory: the silos send theirs again every half minute.</summary>
[Alias("reputation.ICustomerBaseGrain")]
public interface ICustomerBaseGrain : IGrainWithStringKey
{
    public const string Key = "customer-base";

    /// <summary>
    /// Keeps <paramref name="speaking"/> as <paramref name="silo"/>'s templates (in place of what it
    /// sent before), and answers the other silos' heard from lately, a template sent by several by its
    /// newest report, at most <see cref="CustomerBaseReports.Capacity"/> of them (the newest).
    /// </summary>
    [Alias("Merge")]
    ValueTask<CustomerBaseEntry[]> MergeAsync(string silo, CustomerBaseEntry[] speaking);
}

public sealed class CustomerBaseGrain(ReputationClock clock) : Grain, ICustomerBaseGrain
{
    /// <summary>A silo not heard from for this long (four of its renewals) no longer speaks: it stopped or died.</summary>
    internal static readonly TimeSpan SilentAfter = SiloCustomerBase.RenewEvery * 4;

    private readonly Dictionary<string, (CustomerBaseEntry[] Speaking, DateTimeOffset HeardAt)> _silos = new(StringComparer.Ordinal);

    ValueTask<CustomerBaseEntry[]> ICustomerBaseGrain.MergeAsync(string silo, CustomerBaseEntry[] speaking)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(speaking);
        var now = clock.WallNow;
        _silos[silo] = (speaking.Length > CustomerBaseReports.Capacity ? [.. speaking.OrderByDescending(e => e.At).Take(CustomerBaseReports.Capacity)] : speaking, now);
        foreach (var gone in _silos.Where(p => now - p.Value.HeardAt >= SilentAfter).Select(p => p.Key).ToList())
        {
            _silos.Remove(gone);
        }

        var others = new Dictionary<string, CustomerBaseEntry>(StringComparer.Ordinal);
        foreach (var (key, (entries, _)) in _silos)
        {
            if (key == silo)
            {
                continue;
            }

            foreach (var e in entries)
            {
                if (!others.TryGetValue(e.Template, out var kept) || kept.At < e.At)
                {
                    others[e.Template] = e;
                }
            }
        }

        CustomerBaseEntry[] answer = others.Count > CustomerBaseReports.Capacity
            ? [.. others.Values.OrderByDescending(e => e.At).Take(CustomerBaseReports.Capacity)]
            : [.. others.Values];
        return ValueTask.FromResult(answer);
    }
}
