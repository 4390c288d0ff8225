using System.Collections.Concurrent;
using Reputation.Core.Arithmetic;
using Reputation.Core.Prompts;
using Reputation.Grains.Provenance;
using Reputation.Grains.State;

namespace Reputation.Grains.Accounts;

/// <summary>
/// Event provenance (docs/decisions/0021-event-provenance.md): which keys sent the account's events,
/// the links each call's events created (for the sender's journal), and taking back voided events.
/// </summary>
public sealed partial class AccountGrain
{
    async ValueTask<RecordedEvents> IAccountGrain.RecordSentAsync(AccountEvent[] events)
    {
        var created = new List<LinkOrigin>();
        var statuses = await RecordAsync(events, created);
        return new RecordedEvents { Statuses = statuses, Created = [.. created] };
    }

    async ValueTask<SignupRecorded> IAccountGrain.SignupSentAsync(SignupEvent signup)
    {
        var created = new List<LinkOrigin>();
        var statuses = await RecordAsync([signup], created);
        return new SignupRecorded { Decision = DecideSignup(signup), Recorded = new RecordedEvents { Statuses = statuses, Created = [.. created] } };
    }

    async ValueTask<AccountVoided> IAccountGrain.VoidAsync(JournalEntry[] entries)
    {
        var s = state.State;
        var dedup = s.Dedup.Open();
        Dictionary<string, List<VoidedContribution>>? contributions = null;
        var unlinked = new HashSet<string>(StringComparer.Ordinal);
        // As linked before any voided event's links go: the buckets an event without fingerprints may have counted in.
        var linkedBuckets = s.PromptBuckets.ToList();
        var voided = 0;
        foreach (var entry in entries)
        {
            var e = entry.Event;
            // In the same window as the event ids: a second void of the same event changes nothing.
            if (!dedup.TryAdd(JournalPolicy.VoidMark(e.EventId)))
            {
                continue;
            }

            voided++;
            long requests = 0, tokens = 0;
            switch (e)
            {
                case PaymentEvent payment:
                    s.Payments.Remove(payment.Outcome);
                    Add(ref contributions, LinkOrigin.Instrument + payment.PaymentFingerprint,
                        new VoidedContribution { EventId = e.EventId, OccurredAt = e.OccurredAt, Outcome = payment.Outcome });
                    break;
                case UsageEvent usage:
                    requests = usage.Requests;
                    tokens = Saturating.Add(usage.InputTokens, usage.OutputTokens);
                    TakeBackUsage(usage, tokens);
                    // The cards its usage counted against; each takes it back only if it recognises the event.
                    foreach (var instrument in s.PaymentInstruments.Take(InstrumentsScored))
                    {
                        Add(ref contributions, LinkOrigin.Instrument + instrument,
                            new VoidedContribution { EventId = e.EventId, OccurredAt = e.OccurredAt, Requests = usage.Requests });
                    }

                    // The template buckets it reached; each takes back what it counted of it, if it still holds it.
                    foreach (var (bucket, reached) in BucketsReached(usage, entry, linkedBuckets))
                    {
                        Add(ref contributions, LinkOrigin.Template + bucket,
                            new VoidedContribution { EventId = e.EventId, OccurredAt = e.OccurredAt, Requests = usage.Requests, Model = usage.Model, Reached = reached });
                    }

                    break;
                case SignupEvent signup:
                    ForgetAttributes(signup, entry.DeviceHash);
                    break;
            }

            if (e.IpRange is { } range)
            {
                Add(ref contributions, LinkOrigin.Range + range, new VoidedContribution
                {
                    EventId = e.EventId,
                    OccurredAt = e.OccurredAt,
                    IsSignup = e is SignupEvent,
                    VerifiedOrganization = e is SignupEvent { OrganizationVerified: true },
                    OwnerGroup = e is SignupEvent signupEvent ? OwnerGroupOf(signupEvent.OrganizationId) : null,
                    Requests = requests,
                    Tokens = tokens,
                });
            }

            if (s.Senders.Find(t => t.Key == e.Sender) is { } tally)
            {
                tally.Voided = Math.Min(tally.Events, tally.Voided + 1);
            }

            foreach (var link in entry.CreatedLinks)
            {
                if (Unlink(link))
                {
                    unlinked.Add(link);
                }
            }
        }

        if (voided == 0)
        {
            return new AccountVoided();
        }

        if (s.Payments.Succeeded == 0)
        {
            // The paid dates make a customer (History); with no payment left they go.
            s.FirstPaidAt = null;
            s.LastPaidAt = null;
        }

        // Entities first, the account last, as when recording: a failure is retried whole, and the
        // entities recognise the events they already took back.
        var accountId = this.GetPrimaryKeyString();
        var calls = new List<Task>();
        var templateCalls = new List<Task<string[]>>();
        foreach (var link in (contributions?.Keys ?? Enumerable.Empty<string>()).Union(unlinked))
        {
            var taken = contributions is not null && contributions.TryGetValue(link, out var list) ? list.ToArray() : [];
            if (link.StartsWith(LinkOrigin.Template, StringComparison.Ordinal))
            {
                templateCalls.Add(GrainFactory.Ref<IPromptTemplateGrain>(link[LinkOrigin.Template.Length..])
                    .VoidUsageAsync(accountId, taken, unlinked.Contains(link)).AsTask());
            }
            else if (EntityOf(link) is { } entity)
            {
                calls.Add(entity.VoidAsync(accountId, taken, unlinked.Contains(link)));
            }
        }

        string[] keptByTemplates;
        try
        {
            await Task.WhenAll(calls.Concat(templateCalls));
            keptByTemplates = [.. templateCalls.SelectMany(t => t.Result).Distinct(StringComparer.Ordinal)];
            s.Dedup.Save(dedup);
            await WriteInOrderAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        // Its standing without the voided events: its remaining entities hear if that changed.
        Publish(hop: 0);
        return new AccountVoided { Events = voided, Unlinked = [.. unlinked], KeptByTemplates = keptByTemplates };
    }

    /// <summary>
    /// The template buckets a voided usage event reached: those of its fingerprints when the journal
    /// kept them (it keeps a budget of them per hour). Otherwise those where it can have counted: a
    /// bucket counts usage only from a sharer, and a sharer links it, so the links the event created
    /// (it reached those) and the buckets the account linked when the void began (it may have); one that fell off the
    /// account's links is not found.
    /// </summary>
    private static IEnumerable<(string Bucket, bool Reached)> BucketsReached(UsageEvent usage, JournalEntry entry, List<string> linked)
    {
        if (usage.PromptFingerprints.Length > 0)
        {
            return usage.PromptFingerprints.SelectMany(PromptBands.BucketKeys).Distinct(StringComparer.Ordinal).Select(b => (b, true));
        }

        var created = entry.CreatedLinks.Where(l => l.StartsWith(LinkOrigin.Template, StringComparison.Ordinal))
            .Select(l => l[LinkOrigin.Template.Length..]).ToHashSet(StringComparer.Ordinal);
        return [.. created.Select(b => (b, true)), .. linked.Where(b => !created.Contains(b)).Select(b => (b, false))];
    }

    private IEntityGrain? EntityOf(string link) =>
        link.StartsWith(LinkOrigin.Instrument, StringComparison.Ordinal) ? GrainFactory.Ref<IPaymentInstrumentGrain>(link[LinkOrigin.Instrument.Length..])
        : link.StartsWith(LinkOrigin.Range, StringComparison.Ordinal) ? GrainFactory.Ref<IIpRangeGrain>(link[LinkOrigin.Range.Length..])
        : null;

    /// <summary>Removes a link a voided event created, with what the account kept about it; true when it was still linked.</summary>
    private bool Unlink(string link)
    {
        var s = state.State;
        if (link.StartsWith(LinkOrigin.Instrument, StringComparison.Ordinal))
        {
            var key = link[LinkOrigin.Instrument.Length..];
            _instruments.Remove(key);
            return s.PaymentInstruments.Remove(key);
        }

        if (link.StartsWith(LinkOrigin.Range, StringComparison.Ordinal))
        {
            var key = link[LinkOrigin.Range.Length..];
            _ranges.Remove(key);
            s.RangeLastUsedAt = s.RangeLastUsedAt.Without(key);
            return s.IpRanges.Remove(key);
        }

        if (link.StartsWith(LinkOrigin.Template, StringComparison.Ordinal))
        {
            var key = link[LinkOrigin.Template.Length..];
            _templates.Remove(key);
            s.RequestsPerBucket = s.RequestsPerBucket.Without(key);
            ForgetTemplateSetBucket(key);
            return s.PromptBuckets.Remove(key);
        }

        return false;
    }

    /// <summary>
    /// Forgets what a voided signup said of the account where that is still what it says: the email
    /// hash, country, organisation (and whether it is verified: a trust seed), email domain and device
    /// (by the hash the journal keeps of it), and the creation time when it is the signup's own time.
    /// The account does not keep what they were before, so they become unknown, never the voided
    /// values; a later signup of another key that set its own values keeps them. Unknown creation is
    /// what an account never signed up has: it is scored as new, so a backdated signup no longer
    /// makes it look old.
    /// </summary>
    private void ForgetAttributes(SignupEvent signup, ulong? deviceHash)
    {
        var s = state.State;
        if (s.CreatedAt is { } created && created == signup.OccurredAt)
        {
            s.CreatedAt = null;
        }

        if (deviceHash is { } device && s.DeviceId is { } current && JournalEntry.HashDevice(current) == device)
        {
            s.DeviceId = null;
        }

        if (signup.EmailHash is not null && s.EmailHash == signup.EmailHash)
        {
            s.EmailHash = null;
        }

        if (signup.Country is not null && s.Country == signup.Country)
        {
            s.Country = null;
        }

        if (signup.OrganizationId is not null && s.OrganizationId == signup.OrganizationId && s.OrganizationVerified == signup.OrganizationVerified)
        {
            s.OrganizationId = null;
            s.OrganizationVerified = false;
        }

        if (signup.EmailDomainHash is not null && s.EmailDomainHash == signup.EmailDomainHash)
        {
            s.EmailDomainHash = null;
            s.EmailDomainKind = default;
        }
    }

    /// <summary>Takes a voided usage event's requests and tokens out of the windows it still falls in, and out of the totals.</summary>
    private void TakeBackUsage(UsageEvent usage, long tokens)
    {
        var s = state.State;
        var at = usage.OccurredAt;
        s.RequestsPerMinute.Minutes().Add(at, -usage.Requests);
        s.RequestsPerHour.Hours().Add(at, -usage.Requests);
        if (tokens > 0)
        {
            s.TokensPerHour.Hours().Add(at, -tokens);
        }

        if (usage.ReasoningElicitation is > 0 and var share)
        {
            s.ElicitedPerHour.Hours().Add(at, -(long)Math.Round(usage.Requests * share));
        }

        if (s.CreatedAt is { } created && at >= created && at < created + TimeSpan.FromHours(1))
        {
            s.RequestsFirstHour = Math.Max(0, s.RequestsFirstHour - usage.Requests);
        }

        s.RequestsTotal = Math.Max(0, s.RequestsTotal - usage.Requests);
    }

    /// <summary>Counts the accepted events of a call against the key that sent them.</summary>
    private void CountSenders(AccountEvent[] events, EventStatus[] statuses)
    {
        var senders = state.State.Senders;
        var now = time.WallNow;
        for (var i = 0; i < events.Length; i++)
        {
            if (statuses[i] != EventStatus.Accepted || events[i].Sender is not { } sent)
            {
                continue;
            }

            var key = SharedSender(sent);

            var tally = senders.Find(t => t.Key == key);
            if (tally is null)
            {
                if (senders.Count >= AccountState.SenderCapacity)
                {
                    senders.Remove(senders.MinBy(t => t.LastAt)!);
                }

                tally = new SenderTally { Key = key, FirstAt = now };
                senders.Add(tally);
            }

            tally.Events = Saturating.Add(tally.Events, 1);
            tally.LastAt = now;
            Span(key, JournalPolicy.HourOf(now));
        }
    }

    /// <summary>
    /// A sending key's name as one string for the silo, not a copy per account: every call brings its
    /// own, and the account keeps it in its sender tally and journal span. The names are the
    /// service's own API keys, authenticated at the edge, so few; past <see cref="SharedSendersCapacity"/>
    /// names a name is kept as it came (docs/decisions/0045-smaller-account-activations.md).
    /// </summary>
    private static string SharedSender(string key) =>
        s_sharedSenders.TryGetValue(key, out var shared) ? shared
        : s_sharedSenders.Count < SharedSendersCapacity ? s_sharedSenders.GetOrAdd(key, key)
        : key;

    private const int SharedSendersCapacity = 1_024;
    private static readonly ConcurrentDictionary<string, string> s_sharedSenders = new(StringComparer.Ordinal);

    /// <summary>The names a record read from storage brought, as the silo's one string each.</summary>
    private void ShareSenders()
    {
        foreach (var tally in state.State.Senders)
        {
            tally.Key = SharedSender(tally.Key);
        }

        foreach (var span in state.State.JournalSpans)
        {
            span.Key = SharedSender(span.Key);
        }
    }

    /// <summary>Widens the key's span of arrival hours to <paramref name="hour"/>; a span of a week or more covers every slot of the key (a slot not reused since may still hold the account).</summary>
    private void Span(string key, long hour)
    {
        var spans = state.State.JournalSpans;
        var span = spans.Find(t => t.Key == key);
        if (span is null)
        {
            if (spans.Count >= JournalSpan.Capacity)
            {
                spans.Remove(spans.MinBy(t => t.LastHour)!);
            }

            spans.Add(new JournalSpan { Key = key, FirstHour = hour, LastHour = hour });
            return;
        }

        span.LastHour = Math.Max(span.LastHour, hour);
    }

    private HashSet<string> Links()
    {
        var s = state.State;
        return [.. s.PaymentInstruments.Select(k => LinkOrigin.Instrument + k), .. s.IpRanges.Select(k => LinkOrigin.Range + k),
            .. s.PromptBuckets.Select(k => LinkOrigin.Template + k)];
    }

    /// <summary>
    /// The links that were not there before the call, each with the first accepted event of the call
    /// that names it. A template bucket a later notification links (TemplateChangedAsync) has no event.
    /// </summary>
    private IEnumerable<LinkOrigin> CreatedLinks(AccountEvent[] events, EventStatus[] statuses, HashSet<string> before)
    {
        foreach (var link in Links())
        {
            if (before.Contains(link))
            {
                continue;
            }

            for (var i = 0; i < events.Length; i++)
            {
                if (statuses[i] == EventStatus.Accepted && Names(events[i], link))
                {
                    yield return new LinkOrigin { EventId = events[i].EventId, Link = link };
                    break;
                }
            }
        }
    }

    private static bool Names(AccountEvent e, string link) => e switch
    {
        _ when e.IpRange is { } range && link == LinkOrigin.Range + range => true,
        SignupEvent { PaymentFingerprint: { } fp } => link == LinkOrigin.Instrument + fp,
        PaymentEvent payment => link == LinkOrigin.Instrument + payment.PaymentFingerprint,
        UsageEvent usage => link.StartsWith(LinkOrigin.Template, StringComparison.Ordinal)
            && usage.PromptFingerprints.Any(f => PromptBands.BucketKeys(f).Contains(link[LinkOrigin.Template.Length..])),
        _ => false,
    };
}
