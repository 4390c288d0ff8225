using Mediator;
using Reputation.Api.Errors;
using Reputation.Contracts;
using Reputation.Grains;
using Reputation.Grains.Provenance;

namespace Reputation.Api.Features.Keys;

public sealed record VoidKey(string KeyName, VoidKeyRequest Body) : IRequest<VoidKeyResult>, IValidatable
{
    public const int MaxReasonLength = 500;

    public void Validate(ValidationErrors errors)
    {
        Fields.Id(errors, "keyName", KeyName);
        if (string.IsNullOrWhiteSpace(Body.Reason))
        {
            errors.Add("reason", "is required");
        }
        else if (Body.Reason.Length > MaxReasonLength)
        {
            errors.Add("reason", $"must be at most {MaxReasonLength} characters");
        }
        else
        {
            Fields.Text(errors, "reason", Body.Reason);
        }

        if (Body.From is { } from && Body.To is { } to && from > to)
        {
            errors.Add("to", "must not be before from");
        }
    }
}

/// <summary>
/// Reads the key's journal for the window, hour by hour, and has each affected account take back its
/// events (its counters, the links they created, and through it its entities'); then marks them
/// voided so that a second call does not take them back twice.
/// </summary>
public sealed class VoidKeyHandler(IGrainFactory grains, KeyJournal journal) : IRequestHandler<VoidKey, VoidKeyResult>
{
    private const int AccountsInFlight = 16;
    private const int AccountSampleSize = 100;

    public async ValueTask<VoidKeyResult> Handle(VoidKey request, CancellationToken cancellationToken)
    {
        var now = journal.Now;
        var kept = now - JournalPolicy.Retention;
        var from = request.Body.From ?? kept;
        var to = request.Body.To is { } end && end < now ? end : now;
        var errors = new ValidationErrors();
        if (from < kept)
        {
            errors.Add("from", $"is before what the key journal keeps: events that arrived more than {JournalPolicy.RetentionHours / 24} days ago (before {kept:O}) cannot be voided");
        }

        if (from > to)
        {
            errors.Add("from", "must not be after to or now");
        }

        errors.ThrowIfAny();

        var hours = new List<(long Hour, JournalHour Read)>();
        for (var hour = JournalPolicy.HourOf(from); hour <= JournalPolicy.HourOf(to); hour++)
        {
            var read = await grains.Ref<IKeyJournalGrain>(JournalPolicy.ShardKey(request.KeyName, hour)).ReadAsync(hour);
            hours.Add((hour, read));
        }

        var inWindow = hours.SelectMany(h => h.Read.Entries.Select(e => (h.Hour, Entry: e)))
            .Where(x => x.Entry.ArrivedAt >= from && x.Entry.ArrivedAt <= to)
            .ToList();
        var pending = inWindow.Where(x => !x.Entry.Voided).ToList();
        var byAccount = pending.GroupBy(x => x.Entry.AccountId, StringComparer.Ordinal).ToList();
        var results = new AccountVoided[byAccount.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, byAccount.Count),
            new ParallelOptions { MaxDegreeOfParallelism = AccountsInFlight, CancellationToken = cancellationToken },
            async (a, _) => results[a] = await grains.Ref<IAccountGrain>(byAccount[a].Key).VoidAsync([.. byAccount[a].Select(x => x.Entry)]));

        foreach (var hour in pending.GroupBy(x => x.Hour))
        {
            await grains.Ref<IKeyJournalGrain>(JournalPolicy.ShardKey(request.KeyName, hour.Key))
                .MarkVoidedAsync(hour.Key, [.. hour.Select(x => (x.Entry.AccountId, x.Entry.Event.EventId))]);
        }

        return new VoidKeyResult
        {
            KeyName = request.KeyName,
            From = from,
            To = to,
            Voided = results.Sum(r => r.Events),
            AlreadyVoided = inWindow.Count - pending.Count,
            Accounts = byAccount.Count,
            AccountSample = [.. byAccount.Take(AccountSampleSize).Select(g => g.Key)],
            LinksRemoved = results.Sum(r => r.Unlinked.Length),
            Unjournaled = hours.Sum(h => h.Read.Unjournaled),
            TemplateUsageKept = results.Sum(r => r.KeptByTemplates.Length),
        };
    }
}
