using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Simulator.Generation;

/// <summary>
/// Turns requests into the per-account, per-second usage summaries a gateway sends: one event per
/// (account, second, address), with the request count, tokens, the fingerprints of the distinct
/// prompts of that second and the mean reasoning-elicitation score over those prompts. Prompts never
/// leave this process, only their fingerprints.
/// </summary>
internal sealed class UsageAggregator(Func<string, string> fingerprint, Func<string, double> reasoningScore)
{
    /// <summary>The service takes at most this many fingerprints in one usage event.</summary>
    public const int MaxFingerprints = 64;

    /// <summary>With the client's own <see cref="PromptFingerprint"/> and <see cref="ReasoningElicitation"/>.</summary>
    public static UsageAggregator Default { get; } = new(PromptFingerprint.Compute, ReasoningElicitation.Score);

    /// <summary>The fingerprint function (also what a partner lab would compute over the prompts it saw).</summary>
    public Func<string, string> Fingerprint => fingerprint;

    public IReadOnlyList<IngestEvent> Aggregate(IEnumerable<SimRequest> requests, Func<long, DateTimeOffset> timeOf)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(timeOf);
        var groups = new Dictionary<(int Account, long Second, string Ip), Group>();
        var order = new List<(int Account, long Second, string Ip, int Seen)>();
        foreach (var request in requests)
        {
            var key = (request.Account.Index, request.Second, request.Ip);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = new Group(request.Account);
                order.Add((key.Index, key.Second, key.Ip, order.Count));
            }

            group.Add(request);
        }

        // Account, then time: each batch then carries few accounts, each with several seconds.
        order.Sort(static (a, b) => a.Account != b.Account ? a.Account.CompareTo(b.Account)
            : a.Second != b.Second ? a.Second.CompareTo(b.Second)
            : a.Seen.CompareTo(b.Seen));
        var events = new List<IngestEvent>(order.Count);
        var ipOrdinal = 0;
        (int Account, long Second) previous = (-1, long.MinValue);
        foreach (var key in order)
        {
            ipOrdinal = (key.Account, key.Second) == previous ? ipOrdinal + 1 : 0;
            previous = (key.Account, key.Second);
            events.Add(groups[(key.Account, key.Second, key.Ip)].ToEvent(key.Second, key.Ip, ipOrdinal, timeOf(key.Second), fingerprint, reasoningScore));
        }

        return events;
    }

    /// <summary>Past usage summaries as usage events (fingerprints and elicitation computed here, each distinct prompt once).</summary>
    public IReadOnlyList<IngestEvent> Summarise(IEnumerable<UsageSummary> summaries, Func<long, DateTimeOffset> timeOf)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(timeOf);
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        var events = new List<IngestEvent>();
        foreach (var s in summaries)
        {
            var distinct = new List<string>(s.Prompts.Count);
            foreach (var prompt in s.Prompts)
            {
                if (!fingerprints.TryGetValue(prompt, out var f))
                {
                    fingerprints[prompt] = f = fingerprint(prompt);
                    scores[prompt] = reasoningScore(prompt);
                }

                if (distinct.Count < MaxFingerprints && !distinct.Contains(f))
                {
                    distinct.Add(f);
                }
            }

            events.Add(new IngestEvent
            {
                Id = s.Id,
                Type = EventType.Usage,
                AccountId = s.Account.Id,
                OccurredAt = timeOf(s.Second),
                Ip = s.Ip,
                Requests = s.Requests,
                InputTokens = s.InputTokens,
                OutputTokens = s.OutputTokens,
                PromptFingerprints = distinct,
                ReasoningElicitation = s.Prompts.Count == 0 ? 0 : Math.Round(Math.Clamp(s.Prompts.Average(p => scores[p]), 0, 1), 4),
                Model = s.Model,
            });
        }

        return events;
    }

    private sealed class Group(SimAccount account)
    {
        private readonly List<string> _prompts = [];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _models = new(StringComparer.Ordinal);
        private int _requests;
        private long _input;
        private long _output;

        public void Add(SimRequest request)
        {
            _requests++;
            _input += request.InputTokens;
            _output += request.OutputTokens;
            _models[request.Model] = _models.GetValueOrDefault(request.Model) + 1;
            if (_seen.Add(request.Prompt))
            {
                _prompts.Add(request.Prompt);
            }
        }

        public IngestEvent ToEvent(long second, string ip, int ipOrdinal, DateTimeOffset occurredAt, Func<string, string> fingerprint, Func<string, double> score)
        {
            var fingerprints = new List<string>(Math.Min(_prompts.Count, MaxFingerprints));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prompt in _prompts)
            {
                var f = fingerprint(prompt);
                if (fingerprints.Count < MaxFingerprints && seen.Add(f))
                {
                    fingerprints.Add(f);
                }
            }

            var elicitation = _prompts.Count == 0 ? 0 : Math.Clamp(_prompts.Average(score), 0, 1);
            return new IngestEvent
            {
                Id = ipOrdinal == 0 ? $"{account.Id}-u{second}" : $"{account.Id}-u{second}-{ipOrdinal}",
                Type = EventType.Usage,
                AccountId = account.Id,
                OccurredAt = occurredAt,
                Ip = ip,
                Requests = _requests,
                InputTokens = _input,
                OutputTokens = _output,
                PromptFingerprints = fingerprints,
                ReasoningElicitation = Math.Round(elicitation, 4),
                Model = _models.MaxBy(static m => m.Value).Key,
            };
        }
    }
}
