using System.Globalization;
using System.Text.Json;
using Mediator;
using Reputation.Api.Errors;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Core.Privacy;
using Reputation.Core.Text;
using Reputation.Grains;
using Reputation.Grains.Provenance;
using Reputation.Api.Features.Keys;

namespace Reputation.Api.Features.Events;

/// <summary>One event of a batch as it arrived: parsed, or the reason it could not be.</summary>
public sealed record ArrivedEvent(int Index, IngestEvent? Event, string? Id, string? ParseError);

/// <summary>A batch as it arrived, and the key that sent it: the accounts it may write.</summary>
public sealed record IngestEvents(IReadOnlyList<ArrivedEvent> Events, KeyAccounts Sender) : IRequest<EventBatchResult>;

/// <summary>How many accounts of one batch the ingest handler applies at the same time; set by how storage writes.</summary>
public sealed record IngestConcurrency(int AccountsInFlight)
{
    /// <summary>
    /// A storage request per grain write: a batch of 1,000 accounts all at once is 1,000 account
    /// writes and their entities' writes hitting storage together, which on Azurite queued writes
    /// past Orleans' 30 s response timeout (docs/performance.md).
    /// </summary>
    public static IngestConcurrency PerGrainWrites { get; } = new(IngestEventsHandler.MaxAccountsInFlight);

    /// <summary>
    /// Batched writes: every account of a batch at once, so that each storage transaction carries as
    /// many of their rows as it can (docs/decisions/0019-batched-table-storage.md).
    /// </summary>
    public static IngestConcurrency BatchedWrites { get; } = new(1000);
}

/// <summary>
/// Applies a batch's valid events: each account's in one grain call, accounts in parallel, then the
/// sender's journal. Completes when every grain has answered (and, without the write-ahead log,
/// stored its state).
/// </summary>
public sealed class IngestApplier(IGrainFactory grains, IngestConcurrency concurrency, KeyJournal journal)
{
    public async Task<RecordedEvents[]> ApplyAsync(string sender, IReadOnlyList<KeyValuePair<string, List<AccountEvent>>> batches)
    {
        var results = new RecordedEvents[batches.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, batches.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency.AccountsInFlight },
            async (b, _) => results[b] = await grains.Ref<IAccountGrain>(batches[b].Key).RecordSentAsync([.. batches[b].Value]));
        // The sender's journal, after the accounts: what it keeps is what they accepted.
        var arrivedAt = journal.Now;
        await journal.AppendAsync(sender, arrivedAt,
            [.. results.SelectMany((recorded, b) => JournalEntry.Of(batches[b].Key, batches[b].Value, recorded, arrivedAt))]);
        return results;
    }
}

/// <summary>
/// Validates each event on its own (a bad one is rejected alone, with its index), groups the
/// good ones by account and applies each account's events in one grain call, all accounts in
/// parallel. Answers only after every write is done: accepted means persisted.
/// </summary>
/// <remarks>
/// With the write-ahead log on (<c>Reputation:Ingest:Log</c>), the accepted events are appended to the
/// silo's log first and applied only once stored, the grains' writes deferred
/// (docs/decisions/0039-write-ahead-log-ingest.md): accepted means logged, and applied.
/// </remarks>
public sealed class IngestEventsHandler(EmailHasher emails, ReputationClock time, ReputationMetrics metrics, IngestApplier applier, IngestLog? log = null)
    : IRequestHandler<IngestEvents, EventBatchResult>
{
    internal static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
    private const int MaxPromptFingerprints = 64;

    /// <summary>
    /// The most requests one usage summary may carry. A summary is one account's requests in about
    /// a second (UsageBuffer); a million is far beyond any gateway's per-account rate, and bounds
    /// what one event can add to a counter.
    /// </summary>
    public const long MaxRequestsPerSummary = 1_000_000;

    /// <summary>The most input (and, separately, output) tokens one usage summary may carry: 1,000 per request at the request bound.</summary>
    public const long MaxTokensPerSummary = 1_000_000_000;

    /// <summary>How many accounts of one batch are applied at the same time when each grain write is a storage request of its own.</summary>
    internal const int MaxAccountsInFlight = 64;

    public async ValueTask<EventBatchResult> Handle(IngestEvents request, CancellationToken cancellationToken)
    {
        // The future bound is the wall clock's, also when reputation time follows the events (simulations).
        var now = time.WallNow;
        var rejected = new List<RejectedEvent>();
        var duplicates = 0;
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var byAccount = new Dictionary<string, List<AccountEvent>>(StringComparer.Ordinal);
        // Counted per (type, result) here and recorded once per batch, not once per event.
        var tally = new long[ReputationMetrics.EventTypeCount * 3];

        foreach (var arrived in request.Events)
        {
            if (arrived.ParseError is not null || arrived.Event is null)
            {
                rejected.Add(new RejectedEvent(arrived.Index, arrived.Id, arrived.ParseError ?? "event is null"));
                tally[Cell(Unknown, EventResult.Rejected)]++;
                continue;
            }

            var (converted, error) = Convert(arrived.Event, now, request.Sender.KeyName);
            if (converted is null)
            {
                rejected.Add(new RejectedEvent(arrived.Index, arrived.Event.Id, error!));
                tally[Cell(Enum.IsDefined(arrived.Event.Type) ? (int)arrived.Event.Type : Unknown, EventResult.Rejected)]++;
                continue;
            }

            if (!request.Sender.Allows(arrived.Event.AccountId))
            {
                rejected.Add(new RejectedEvent(arrived.Index, arrived.Event.Id, $"accountId: outside the accounts of this key ({request.Sender.Describe()})"));
                tally[Cell(TypeOf(converted), EventResult.Rejected)]++;
                continue;
            }

            if (!seenIds.Add(converted.EventId))
            {
                duplicates++;
                tally[Cell(TypeOf(converted), EventResult.Duplicate)]++;
                continue;
            }

            if (!byAccount.TryGetValue(arrived.Event.AccountId, out var list))
            {
                byAccount[arrived.Event.AccountId] = list = [];
            }

            list.Add(converted);
        }

        var batches = byAccount.ToList();
        var results = batches.Count == 0 ? []
            : log is not null ? await log.LogAndApplyAsync(request.Sender.KeyName, batches)
            : await applier.ApplyAsync(request.Sender.KeyName, batches);
        var accepted = 0;
        for (var b = 0; b < results.Length; b++)
        {
            var statuses = results[b].Statuses;
            var events = batches[b].Value;
            for (var i = 0; i < statuses.Length; i++)
            {
                var result = statuses[i] == EventStatus.Accepted ? EventResult.Accepted : EventResult.Duplicate;
                if (result == EventResult.Accepted)
                {
                    accepted++;
                }
                else
                {
                    duplicates++;
                }

                tally[Cell(TypeOf(events[i]), result)]++;
                time.Observe(events[i].OccurredAt);
            }
        }

        for (var type = 0; type < ReputationMetrics.EventTypeCount; type++)
        {
            metrics.Ingested(type, EventResult.Accepted, tally[Cell(type, EventResult.Accepted)]);
            metrics.Ingested(type, EventResult.Duplicate, tally[Cell(type, EventResult.Duplicate)]);
            metrics.Ingested(type, EventResult.Rejected, tally[Cell(type, EventResult.Rejected)]);
        }

        rejected.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return new EventBatchResult { Accepted = accepted, Duplicates = duplicates, Rejected = rejected };
    }

    // Event types as ReputationMetrics tags them: the contract's EventType values, then unknown.
    private const int Unknown = ReputationMetrics.EventTypeCount - 1;

    private static int Cell(int type, EventResult result) => (type * 3) + (int)result;

    private static int TypeOf(AccountEvent e) => e switch
    {
        SignupEvent => (int)EventType.Signup,
        UsageEvent => (int)EventType.Usage,
        PaymentEvent => (int)EventType.Payment,
        _ => Unknown,
    };

    private (AccountEvent? Event, string? Error) Convert(IngestEvent e, DateTimeOffset now, string sender)
    {
        var errors = new ValidationErrors();
        Fields.Id(errors, "id", e.Id);
        Fields.Id(errors, "accountId", e.AccountId);
        if (e.OccurredAt == default)
        {
            errors.Add("occurredAt", "is required");
        }
        else if (e.OccurredAt > now + MaxClockSkew)
        {
            errors.Add("occurredAt", "is more than 5 minutes in the future");
        }

        var range = Fields.Ip(errors, "ip", e.Ip, required: e.Type == EventType.Signup);
        AccountEvent? converted = null;
        switch (e.Type)
        {
            case EventType.Signup:
                Fields.Email(errors, "email", e.Email);
                Fields.Id(errors, "paymentFingerprint", e.PaymentFingerprint, required: false);
                Fields.Id(errors, "deviceId", e.DeviceId, required: false);
                Fields.Country(errors, "country", e.Country);
                Fields.Id(errors, "organizationId", e.OrganizationId, required: false);
                if (!errors.Any)
                {
                    var (domainHash, domainKind) = emails.HashDomain(e.Email);
                    converted = new SignupEvent
                    {
                        EventId = e.Id,
                        OccurredAt = e.OccurredAt,
                        IpRange = range?.ToString(),
                        Sender = sender.Length == 0 ? null : sender,
                        EmailHash = emails.Hash(e.Email),
                        PaymentFingerprint = e.PaymentFingerprint,
                        DeviceId = e.DeviceId,
                        Country = e.Country?.ToUpperInvariant(),
                        OrganizationId = string.IsNullOrWhiteSpace(e.OrganizationId) ? null : e.OrganizationId,
                        OrganizationVerified = !string.IsNullOrWhiteSpace(e.OrganizationId) && e.OrganizationVerified == true,
                        EmailDomainHash = domainHash,
                        EmailDomainKind = domainKind,
                    };
                }

                break;

            case EventType.Usage:
                if (e.Requests is null)
                {
                    errors.Add("requests", "is required for a usage event");
                }
                else if (e.Requests is < 1 or > MaxRequestsPerSummary)
                {
                    errors.Add("requests", string.Create(CultureInfo.InvariantCulture, $"must be 1..{MaxRequestsPerSummary} per usage summary"));
                }

                if (e.InputTokens is < 0 or > MaxTokensPerSummary)
                {
                    errors.Add("inputTokens", string.Create(CultureInfo.InvariantCulture, $"must be 0..{MaxTokensPerSummary} per usage summary"));
                }

                if (e.OutputTokens is < 0 or > MaxTokensPerSummary)
                {
                    errors.Add("outputTokens", string.Create(CultureInfo.InvariantCulture, $"must be 0..{MaxTokensPerSummary} per usage summary"));
                }

                if (e.ReasoningElicitation is < 0 or > 1 || (e.ReasoningElicitation is { } re && double.IsNaN(re)))
                {
                    errors.Add("reasoningElicitation", "must be between 0 and 1");
                }

                Fields.Model(errors, "model", e.Model);

                var fingerprints = PromptFingerprints(errors, e.PromptFingerprints);
                if (!errors.Any)
                {
                    converted = new UsageEvent
                    {
                        EventId = e.Id,
                        OccurredAt = e.OccurredAt,
                        IpRange = range?.ToString(),
                        Sender = sender.Length == 0 ? null : sender,
                        Requests = e.Requests!.Value,
                        InputTokens = e.InputTokens ?? 0,
                        OutputTokens = e.OutputTokens ?? 0,
                        PromptFingerprints = fingerprints,
                        ReasoningElicitation = e.ReasoningElicitation,
                        Model = e.Model,
                    };
                }

                break;

            case EventType.Payment:
                Fields.Id(errors, "paymentFingerprint", e.PaymentFingerprint);
                if (e.Outcome is null)
                {
                    errors.Add("outcome", "is required for a payment event");
                }

                if (e.AmountMinor < 0)
                {
                    errors.Add("amountMinor", "must not be negative");
                }

                Fields.Currency(errors, "currency", e.Currency, required: false);
                if (!errors.Any)
                {
                    converted = new PaymentEvent
                    {
                        EventId = e.Id,
                        OccurredAt = e.OccurredAt,
                        IpRange = range?.ToString(),
                        Sender = sender.Length == 0 ? null : sender,
                        PaymentFingerprint = e.PaymentFingerprint!,
                        Outcome = (PaymentKind)e.Outcome!.Value,
                        AmountMinor = e.AmountMinor,
                        Currency = e.Currency?.ToUpperInvariant(),
                    };
                }

                break;

            default:
                errors.Add("type", "must be signup, usage or payment");
                break;
        }

        return errors.Any ? (null, errors.First) : (converted, null);
    }

    private static ulong[] PromptFingerprints(ValidationErrors errors, IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return [];
        }

        if (values.Count > MaxPromptFingerprints)
        {
            errors.Add("promptFingerprints", $"must have at most {MaxPromptFingerprints} entries");
            return [];
        }

        var result = new ulong[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { Length: 16 } text || !ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result[i]))
            {
                errors.Add("promptFingerprints", $"entry {i} must be 16 hex characters");
                return [];
            }
        }

        return result;
    }
}

/// <summary>Reads a batch body so that one malformed event does not spoil the others.</summary>
internal static class EventBatchReader
{
    public const int MaxEvents = 1000;

    public static async Task<IReadOnlyList<ArrivedEvent>> ReadAsync(HttpRequest request, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        if (request.ContentType is null || !request.HasJsonContentType())
        {
            throw new BadHttpRequestException("Content-Type must be application/json.", StatusCodes.Status415UnsupportedMediaType);
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, cancellationToken);
        }
        catch (JsonException ex)
        {
            // No inner exception: this message, which says nothing was applied, is the problem detail.
            throw new BadHttpRequestException($"The body is not valid JSON ({JsonProblem.Describe(ex)}); nothing was applied.", StatusCodes.Status400BadRequest);
        }

        using (document)
        {
            var errors = new ValidationErrors();
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("events", out var events)
                || events.ValueKind != JsonValueKind.Array)
            {
                errors.Add("events", "the body must be an object with an events array");
                errors.ThrowIfAny();
                return [];
            }

            var count = events.GetArrayLength();
            if (count is < 1 or > MaxEvents)
            {
                errors.Add("events", $"must hold 1 to {MaxEvents} events (got {count})");
                errors.ThrowIfAny();
            }

            var arrived = new List<ArrivedEvent>(count);
            var index = 0;
            foreach (var element in events.EnumerateArray())
            {
                var id = IdOf(element);
                try
                {
                    arrived.Add(new ArrivedEvent(index, element.Deserialize<IngestEvent>(json), id, null));
                }
                catch (JsonException ex)
                {
                    arrived.Add(new ArrivedEvent(index, null, id, JsonProblem.Describe(ex)));
                }

                index++;
            }

            return arrived;
        }
    }

    /// <summary>The event's id to echo in its rejection: null when it has none, or none that is valid text (which could not be sent back).</summary>
    private static string? IdOf(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return id.GetString() is { } text && UnicodeText.IsValid(text) ? text : null;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800"): the reader cannot make a string of it.
            return null;
        }
    }
}
