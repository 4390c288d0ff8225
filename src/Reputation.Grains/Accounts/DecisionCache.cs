using System.Collections.Concurrent;
using Reputation.Grains.Policies;

namespace Reputation.Grains.Accounts;

/// <summary>How long a request decision may be answered from <see cref="DecisionCache"/>, and how many it holds.</summary>
/// <param name="MaxAge">At most this old; zero turns the cache off.</param>
/// <param name="Capacity">Accounts held at most; when full, expired answers are swept and new ones wait for room.</param>
public sealed record DecisionCacheSettings(TimeSpan MaxAge, int Capacity)
{
    public static DecisionCacheSettings Default { get; } = new(TimeSpan.FromSeconds(5), 100_000);

    public static DecisionCacheSettings Off { get; } = new(TimeSpan.Zero, 0);

    public bool Enabled => MaxAge > TimeSpan.Zero && Capacity > 0;
}

/// <summary>
/// What every decision reads besides the account: the live policy, the shadow candidate, the lists
/// and the indicators in force (each an object replaced on a change) and the usage horizon.
/// </summary>
public readonly record struct DecisionInputs(object Policy, object? Shadow, object Lists, object Intel, DateTimeOffset? UsageSince);

/// <summary>A request decision an account grain made, as the silo may answer it again.</summary>
/// <param name="Result">The decision as the grain answered it.</param>
/// <param name="ShadowOutcome">The shadow candidate's outcome on the same facts, counted again for the shadow report.</param>
/// <param name="DecidedAt">When the grain decided (the reputation clock).</param>
public readonly record struct CachedDecision(DecisionResult Result, int? ShadowOutcome, DateTimeOffset DecidedAt)
{
    /// <summary>What the API made of <see cref="Result"/> the first time it answered it again; held and dropped with it.</summary>
    public CachedDecisionView View { get; } = new();
}

/// <summary>
/// A slot for the API's own form of a cached decision (its contract's reasons), so that answering the
/// same decision again maps nothing: the cache neither reads nor fills it. Filled at most a few
/// times over (two hits at once may both map; either answer is the same).
/// </summary>
public sealed class CachedDecisionView
{
    private object? _value;

    public object? Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }
}

/// <summary>
/// This silo's last request decision of each of its active accounts (docs/decisions/0023-decision-cache.md),
/// so that the API can answer an account asked about again without a grain call. The account grain
/// puts what it decided and removes it whenever anything it decides from changes: any call that is
/// not a request decision (events, labels, its entities' new signals, voiding, erasure), its cached
/// entity signals refreshed, its deactivation. An answer is also dropped once the policy, the shadow
/// candidate, the lists, the threat-intel indicators in force or the time since which the service has
/// seen usage (dormancy) are not the ones it was decided under, once it is <see cref="DecisionCacheSettings.MaxAge"/> old, and once its entity signals are
/// due for a refresh. What moves with the clock alone (windows emptying, an account growing older, a
/// list entry or indicator reaching its end) is seen up to MaxAge late.
/// </summary>
public interface IDecisionCache
{
    bool Enabled { get; }

    /// <summary>The decision for <paramref name="accountId"/> asked from <paramref name="ipRange"/>, if one is held and still good.</summary>
    bool TryGet(string accountId, string? ipRange, out CachedDecision decision);

    /// <summary>What decisions read now: taken before deciding and given to <see cref="Put"/>, so a change meanwhile is not missed.</summary>
    DecisionInputs Inputs();

    /// <summary>Holds a decision the grain just made under <paramref name="inputs"/>, good until <paramref name="validUntil"/> at the latest.</summary>
    void Put(string accountId, string? ipRange, CachedDecision decision, DecisionInputs inputs, DateTimeOffset validUntil);

    void Remove(string accountId);
}

public sealed class DecisionCache(
    DecisionCacheSettings settings, IPolicyCache policies, IListCache lists, IIntelCache intel, IUsageObservation usage, ReputationClock time)
    : IDecisionCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _sweeping;

    private sealed record Entry(string? IpRange, CachedDecision Decision, DecisionInputs Inputs, DateTimeOffset ValidUntil);

    public bool Enabled => settings.Enabled;

    /// <summary>Accounts held now (expired ones included until swept).</summary>
    public int Count => _entries.Count;

    public bool TryGet(string accountId, string? ipRange, out CachedDecision decision)
    {
        if (_entries.TryGetValue(accountId, out var entry)
            && string.Equals(entry.IpRange, ipRange, StringComparison.Ordinal)
            && time.UtcNow < entry.ValidUntil
            && ReferenceEquals(entry.Inputs.Policy, policies.Current)
            && ReferenceEquals(entry.Inputs.Shadow, policies.Shadow)
            && ReferenceEquals(entry.Inputs.Lists, lists.Revision)
            && ReferenceEquals(entry.Inputs.Intel, intel.Revision)
            && entry.Inputs.UsageSince == usage.Since)
        {
            decision = entry.Decision;
            return true;
        }

        decision = default;
        return false;
    }

    public DecisionInputs Inputs() => new(policies.Current, policies.Shadow, lists.Revision, intel.Revision, usage.Since);

    public void Put(string accountId, string? ipRange, CachedDecision decision, DecisionInputs inputs, DateTimeOffset validUntil)
    {
        if (!settings.Enabled)
        {
            return;
        }

        var until = decision.DecidedAt + settings.MaxAge;
        if (validUntil < until)
        {
            until = validUntil;
        }

        if (until <= time.UtcNow)
        {
            return;
        }

        if (_entries.Count >= settings.Capacity && !_entries.ContainsKey(accountId) && !Sweep())
        {
            return;
        }

        _entries[accountId] = new Entry(ipRange, decision, inputs, until);
    }

    public void Remove(string accountId)
    {
        if (!_entries.IsEmpty)
        {
            _entries.TryRemove(accountId, out _);
        }
    }

    /// <summary>Drops expired answers (one sweep at a time); true when there is room afterwards.</summary>
    private bool Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return false;
        }

        try
        {
            var now = time.UtcNow;
            foreach (var (key, entry) in _entries)
            {
                if (entry.ValidUntil <= now)
                {
                    _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                }
            }

            return _entries.Count < settings.Capacity;
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
