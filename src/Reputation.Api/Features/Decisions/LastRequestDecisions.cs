using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Reputation.Grains;

namespace Reputation.Api.Features.Decisions;

/// <summary>How long and for how many accounts <see cref="LastRequestDecisions"/> keeps an answer, and how long a grain call is waited for.</summary>
/// <param name="MaxAge">An answer older than this is never given again; zero turns stale answers off.</param>
/// <param name="Capacity">Accounts held at most (two generations of half as many each).</param>
/// <param name="Patience">How long the account grain is waited for, when a last answer is held, before that answer is given stale.</param>
public sealed record LastDecisionSettings(TimeSpan MaxAge, int Capacity, TimeSpan Patience)
{
    public static LastDecisionSettings Default { get; } = new(TimeSpan.FromMinutes(5), 100_000, TimeSpan.FromMilliseconds(200));

    public bool Enabled => MaxAge > TimeSpan.Zero && Capacity > 0;
}

/// <summary>A request decision this silo answered, as it may be answered again, stale.</summary>
/// <param name="Result">The decision as it was answered.</param>
/// <param name="AnsweredAt">When it was decided (the reputation clock).</param>
public readonly record struct LastDecision(DecisionResult Result, DateTimeOffset AnsweredAt);

/// <summary>
/// The last request decision this silo's handler answered for each account, from the account grain
/// or from the decision cache (docs/decisions/0038-stale-answers-on-failover.md). It is never an
/// answer in its own right: it is given, marked stale, only when the account grain cannot be reached
/// (its silo died and is not yet declared dead) or does not answer within
/// <see cref="LastDecisionSettings.Patience"/>, for the same account asked from the same IP range, at
/// most <see cref="LastDecisionSettings.MaxAge"/> after it was decided.
/// </summary>
/// <remarks>
/// Bounded without a sweep or a lock on the hot path: answers go into the current generation; when it
/// holds half the capacity it becomes the previous one and the one before is dropped, so an account
/// asked about within the last half-capacity answers is always held.
/// </remarks>
public sealed class LastRequestDecisions(LastDecisionSettings settings, ReputationClock time)
{
    private Generation _current = new();
    private Generation _previous = new();
    private int _rotating;

    private sealed record Entry(string IpRange, LastDecision Decision);

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, Entry> Entries = new(StringComparer.Ordinal);
        public int Count;
    }

    public LastDecisionSettings Settings => settings;

    /// <summary>Accounts held now, in both generations (an account may be in both).</summary>
    public int Count => Volatile.Read(ref _current).Count + Volatile.Read(ref _previous).Count;

    /// <summary>
    /// True when a call to a grain failed because the silo it is on could not be reached or did not
    /// answer in time: a rejected message (the silo is dead, unknown or refusing), a failed
    /// connection, a timeout. Never an exception the grain itself threw.
    /// </summary>
    public static bool MeansUnreachable(Exception exception) =>
        exception is OrleansMessageRejectionException or ConnectionFailedException or TimeoutException;

    /// <summary>Keeps the decision just answered for <paramref name="accountId"/> asked from <paramref name="ipRange"/>.</summary>
    public void Remember(string accountId, string ipRange, LastDecision decision)
    {
        if (!settings.Enabled)
        {
            return;
        }

        var current = Volatile.Read(ref _current);
        if (current.Entries.TryGetValue(accountId, out var held))
        {
            // Answered again from the decision cache: the same decision, nothing to write.
            if (!ReferenceEquals(held.Decision.Result, decision.Result) || !string.Equals(held.IpRange, ipRange, StringComparison.Ordinal))
            {
                current.Entries[accountId] = new Entry(ipRange, decision);
            }

            return;
        }

        if (current.Entries.TryAdd(accountId, new Entry(ipRange, decision))
            && Interlocked.Increment(ref current.Count) >= Math.Max(1, settings.Capacity / 2))
        {
            Rotate(current);
        }
    }

    /// <summary>The last decision answered for <paramref name="accountId"/> from <paramref name="ipRange"/>, if one is held and not too old.</summary>
    public bool TryGet(string accountId, string ipRange, out LastDecision decision)
    {
        if (settings.Enabled
            && (Volatile.Read(ref _current).Entries.TryGetValue(accountId, out var entry)
                || Volatile.Read(ref _previous).Entries.TryGetValue(accountId, out entry))
            && string.Equals(entry.IpRange, ipRange, StringComparison.Ordinal)
            && time.UtcNow - entry.Decision.AnsweredAt <= settings.MaxAge)
        {
            decision = entry.Decision;
            return true;
        }

        decision = default;
        return false;
    }

    /// <summary>Forgets an account (erasure).</summary>
    public void Remove(string accountId)
    {
        Volatile.Read(ref _current).Entries.TryRemove(accountId, out _);
        Volatile.Read(ref _previous).Entries.TryRemove(accountId, out _);
    }

    private void Rotate(Generation full)
    {
        if (Interlocked.Exchange(ref _rotating, 1) == 1)
        {
            return;
        }

        try
        {
            if (ReferenceEquals(Volatile.Read(ref _current), full))
            {
                Volatile.Write(ref _previous, full);
                Volatile.Write(ref _current, new Generation());
            }
        }
        finally
        {
            Volatile.Write(ref _rotating, 0);
        }
    }
}
