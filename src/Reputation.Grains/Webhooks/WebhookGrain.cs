using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Reputation.Core.Privacy;
using Reputation.Grains.State;

namespace Reputation.Grains.Webhooks;

/// <summary>
/// One webhook (keyed by its name): its configuration, its durable outbox and its delivery log
/// (docs/decisions/0024-webhook-outbox.md). An event is written to the outbox before the call that
/// brought it returns; deliveries are attempted in order, retried with doubling waits, across
/// restarts (the outbox is in storage and every silo wakes the webhooks at start), and marked
/// failed once the next attempt would come later than the give-up time after the event.
/// </summary>
[Reentrant] // a delivery (an HTTP call of up to the timeout) must not hold up events arriving or reads; writes go one at a time through GroupCommit
public sealed partial class WebhookGrain(
    [PersistentState("webhook", StorageNames.Reputation)] IPersistentState<WebhookState> state,
    WebhookSender sender,
    WebhookSettings settings,
    ReputationClock time,
    ReputationMetrics metrics,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain
{
    private GroupCommit? _commit;
    private IGrainTimer? _timer;
    private bool _delivering;
    private WebhookDelivery? _inFlight;
    private Task _changing = Task.CompletedTask;

    private string Name => this.GetPrimaryKeyString();

    private Task CommitAsync() => (_commit ??= new GroupCommit(state.WriteStateAsync, DeactivateOnIdle)).WriteAsync();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        EnsureTimer();
        return Task.CompletedTask;
    }

    // A change is two rows, this webhook's and the hub's, kept so that a failure at any step leaves
    // the webhook as it was (or, once its own row is written, as asked): the hub may forward more
    // events than the configuration names, never fewer, because the webhook takes only what its
    // configuration names (EnqueueAsync). So the hub first widens the subscription to both
    // configurations' events, then the webhook's row is written, then the hub narrows it to the
    // events asked for. A narrowing that fails leaves the wider subscription, which costs a call per
    // event the webhook drops and changes nothing it delivers.
    ValueTask<WebhookSnapshot> IWebhookGrain.ConfigureAsync(WebhookConfig config) => OneChangeAtATimeAsync(async () =>
    {
        var before = state.State.Config;
        var beforeAt = state.State.UpdatedAt;
        string[] both = [.. (before?.Events ?? []).Union(config.Events, StringComparer.Ordinal)];
        await Hub.SubscribeAsync(Name, both);

        state.State.Config = config;
        state.State.UpdatedAt = time.WallNow;
        try
        {
            await CommitAsync();
        }
        catch (Exception)
        {
            // Nothing half-applied: memory goes back to what storage holds, the hub to what it forwarded.
            state.State.Config = before;
            state.State.UpdatedAt = beforeAt;
            await NarrowAsync(before?.Events, both);
            throw;
        }

        await NarrowAsync(config.Events, both);
        return Snapshot()!;
    });

    ValueTask<bool> IWebhookGrain.DeleteAsync() => OneChangeAtATimeAsync(async () =>
    {
        if (state.State.Config is null)
        {
            return false;
        }

        // Pending deliveries go with it: nobody is left to receive them. The row goes first, and
        // events that arrive meanwhile find no configuration and are dropped; the hub stops
        // forwarding afterwards, so a removal that storage refuses leaves the webhook whole.
        var before = state.State;
        _timer?.Dispose();
        _timer = null;
        state.State = new WebhookState();
        try
        {
            await state.ClearStateAsync();
        }
        catch (Exception)
        {
            state.State = before;
            EnsureTimer();
            throw;
        }

        await NarrowAsync(null, before.Config!.Events);
        return true;
    });

    private IWebhookHubGrain Hub => GrainFactory.Ref<IWebhookHubGrain>(WebhookHubGrain.Key);

    /// <summary>The hub forwards <paramref name="events"/> (none: unsubscribed); a failure leaves it forwarding <paramref name="wider"/>, which is logged.</summary>
    private async Task NarrowAsync(string[]? events, string[] wider)
    {
        if (events is not null && events.Length == wider.Length)
        {
            return;
        }

        try
        {
            await (events is null ? Hub.UnsubscribeAsync(Name) : Hub.SubscribeAsync(Name, events));
        }
        catch (Exception ex)
        {
            LogSubscriptionNotNarrowed(logger, Name, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Configuration changes one at a time (the grain is reentrant for deliveries): each reads the
    /// configuration it replaces, and two at once would each widen the hub from a stale one.
    /// </summary>
    private async ValueTask<T> OneChangeAtATimeAsync<T>(Func<Task<T>> change)
    {
        var previous = _changing;
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _changing = mine.Task;
        try
        {
            await previous;
            return await change();
        }
        finally
        {
            mine.SetResult();
        }
    }

    ValueTask<WebhookSnapshot?> IWebhookGrain.GetAsync() => ValueTask.FromResult(Snapshot());

    private WebhookSnapshot? Snapshot() => state.State.Config is not { } c ? null : new WebhookSnapshot
    {
        Name = Name, Url = c.Url, Events = c.Events, UpdatedAt = state.State.UpdatedAt, Pending = state.State.Outbox.Count,
    };

    async Task IWebhookGrain.EnqueueAsync(WebhookEvent e)
    {
        var s = state.State;
        if (s.Config is not { } config || !config.Events.Contains(e.Type, StringComparer.Ordinal)
            || s.Outbox.Any(d => d.EventId == e.EventId) || s.Log.Any(d => d.EventId == e.EventId))
        {
            return;
        }

        var now = time.WallNow;
        if (s.Outbox.Count >= WebhookState.OutboxCapacity)
        {
            // Bounded: the oldest pending delivery gives way, visibly (not one being attempted right now).
            var oldest = s.Outbox.First(d => !ReferenceEquals(d, _inFlight));
            s.Outbox.Remove(oldest);
            Done(oldest, "failed", now, "the outbox was full");
        }

        var id = "dlv-" + XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(Name + "\n" + e.EventId)).ToString("x16", CultureInfo.InvariantCulture);
        s.Outbox.Add(new WebhookDelivery { Id = id, EventId = e.EventId, Type = e.Type, CreatedAt = now, Body = Body(id, e), NextAttemptAt = now });
        await CommitAsync();
        EnsureTimer();
    }

    private static string Body(string deliveryId, WebhookEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", deliveryId);
            json.WriteString("type", e.Type);
            json.WriteString("occurredAt", e.OccurredAt);
            json.WritePropertyName("data");
            json.WriteRawValue(e.Data);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    ValueTask<WebhookDelivery[]> IWebhookGrain.GetDeliveriesAsync() =>
        ValueTask.FromResult<WebhookDelivery[]>([.. state.State.Outbox.AsEnumerable().Reverse(), .. state.State.Log]);

    Task IWebhookGrain.WakeAsync()
    {
        EnsureTimer();
        return Task.CompletedTask;
    }

    async ValueTask<int> IWebhookGrain.RedactAccountAsync(string accountId, string replacement)
    {
        var changed = 0;
        foreach (var delivery in state.State.Outbox.Concat(state.State.Log))
        {
            var eventId = Redaction.Text(delivery.EventId, accountId, replacement);
            var body = delivery.Body.Length == 0 ? delivery.Body : Redaction.Json(delivery.Body, accountId, replacement);
            var error = delivery.LastError is null ? null : Redaction.Text(delivery.LastError, accountId, replacement);
            if (!ReferenceEquals(eventId, delivery.EventId) || !ReferenceEquals(body, delivery.Body) || !ReferenceEquals(error, delivery.LastError))
            {
                delivery.EventId = eventId;
                delivery.Body = body;
                delivery.LastError = error;
                changed++;
            }
        }

        if (changed > 0)
        {
            await CommitAsync();
        }

        return changed;
    }

    /// <summary>While deliveries are pending the webhook stays active and looks at its outbox every <see cref="WebhookSettings.Poll"/>.</summary>
    private void EnsureTimer()
    {
        if (_timer is null && state.State.Outbox.Count > 0)
        {
            _timer = this.RegisterGrainTimer(DeliverDueAsync, new GrainTimerCreationOptions(TimeSpan.Zero, settings.Poll) { Interleave = true, KeepAlive = true });
        }
    }

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        if (_delivering)
        {
            return;
        }

        _delivering = true;
        try
        {
            // In order of arrival; each attempt is written before the next, so a restart repeats at most one.
            while (state.State.Config is { } config && state.State.Outbox.FirstOrDefault(d => d.NextAttemptAt <= time.WallNow) is { } due)
            {
                _inFlight = due;
                var result = await sender.SendAsync(config, due);
                _inFlight = null;
                if (!state.State.Outbox.Contains(due))
                {
                    // The webhook was deleted (and perhaps made again under its name) while this attempt was out:
                    // its outcome belongs to no webhook, and writing it would bring back the deleted one's row.
                    continue;
                }

                var now = time.WallNow;
                due.Attempts++;
                due.LastAttemptAt = now;
                due.LastStatusCode = result.StatusCode;
                due.LastError = result.Error;
                if (result.Delivered)
                {
                    state.State.Outbox.Remove(due);
                    Done(due, "delivered", now, null);
                }
                else
                {
                    due.NextAttemptAt = now + Core.Webhooks.WebhookRules.Backoff(due.Attempts, settings.RetryBase, settings.RetryCap);
                    if (due.NextAttemptAt - due.CreatedAt > settings.GiveUpAfter)
                    {
                        state.State.Outbox.Remove(due);
                        Done(due, "failed", now, result.Error);
                    }
                    else
                    {
                        metrics.WebhookDelivery("retrying");
                    }
                }

                await CommitAsync();
            }
        }
        catch (Exception ex)
        {
            // Storage did not take the attempt's outcome: the delivery stays due and is attempted again.
            LogDeliveryStateNotWritten(logger, Name, ex.GetType().Name);
            metrics.WebhookDelivery("state_not_written");
        }
        finally
        {
            _delivering = false;
            _inFlight = null;
        }

        if (state.State.Outbox.Count == 0 && _timer is not null)
        {
            _timer.Dispose();
            _timer = null;
        }
    }

    private void Done(WebhookDelivery delivery, string status, DateTimeOffset at, string? error)
    {
        delivery.Status = status;
        delivery.DoneAt = at;
        delivery.LastError = error ?? delivery.LastError;
        delivery.Body = "";
        var log = state.State.Log;
        log.Insert(0, delivery);
        if (log.Count > WebhookState.LogCapacity)
        {
            log.RemoveRange(WebhookState.LogCapacity, log.Count - WebhookState.LogCapacity);
        }

        metrics.WebhookDelivery(status);
        if (status == "failed")
        {
            LogGaveUp(logger, Name, delivery.Id, delivery.Attempts);
        }
    }

    [LoggerMessage(3401, LogLevel.Warning, "Webhook {Webhook} gave up delivery {Delivery} after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string webhook, string delivery, int attempts);

    [LoggerMessage(3402, LogLevel.Warning, "Webhook {Webhook} could not write a delivery's outcome ({ExceptionType}); it is attempted again")]
    private static partial void LogDeliveryStateNotWritten(ILogger logger, string webhook, string exceptionType);

    [LoggerMessage(3404, LogLevel.Warning, "Webhook {Webhook}: the hub could not narrow its subscription ({ExceptionType}); it forwards events the webhook drops until the next change")]
    private static partial void LogSubscriptionNotNarrowed(ILogger logger, string webhook, string exceptionType);
}

/// <summary>
/// Which webhook wants which events (key <c>webhooks</c>): producers publish here, and the hub
/// hands each event to every webhook that asked for its type, each writing it to its outbox
/// before the publish returns.
/// </summary>
[Reentrant] // publishes only read the subscriptions; changes go one at a time through GroupCommit
public sealed class WebhookHubGrain(
    [PersistentState("webhooks", StorageNames.Reputation)] IPersistentState<WebhookHubState> state) : Grain, IWebhookHubGrain
{
    public const string Key = "webhooks";

    private GroupCommit? _commit;

    private Task CommitAsync() => (_commit ??= new GroupCommit(state.WriteStateAsync, DeactivateOnIdle)).WriteAsync();

    Task IWebhookHubGrain.SubscribeAsync(string name, string[] events)
    {
        state.State.Subscriptions[name] = events;
        return CommitAsync();
    }

    Task IWebhookHubGrain.UnsubscribeAsync(string name) =>
        state.State.Subscriptions.Remove(name) ? CommitAsync() : Task.CompletedTask;

    ValueTask<string[]> IWebhookHubGrain.GetNamesAsync() => ValueTask.FromResult<string[]>([.. state.State.Subscriptions.Keys]);

    Task IWebhookHubGrain.PublishAsync(WebhookEvent e) =>
        Task.WhenAll(state.State.Subscriptions.Where(p => p.Value.Contains(e.Type, StringComparer.Ordinal))
            .Select(p => GrainFactory.Ref<IWebhookGrain>(p.Key).EnqueueAsync(e)));
}
