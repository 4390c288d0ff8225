using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Reputation.Core.Webhooks;

namespace Reputation.Grains.Webhooks;

/// <summary>
/// What producers call: builds an event (ids and reasons only, never personal data) and hands it to
/// the hub, which returns once every interested webhook has it in its outbox.
/// </summary>
public static class WebhookPublisher
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static Task PublishAsync(IGrainFactory grains, string type, string eventId, DateTimeOffset at, object data)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.Ref<IWebhookHubGrain>(WebhookHubGrain.Key).PublishAsync(new WebhookEvent
        {
            EventId = type + ":" + eventId, Type = type, OccurredAt = at, Data = JsonSerializer.Serialize(data, s_json),
        });
    }

    /// <summary>An account's hold began.</summary>
    public static WebhookEvent Held(string accountId, string? campaignId, double score, int outcome, DateTimeOffset since, DateTimeOffset until, IEnumerable<string> reasons) => new()
    {
        EventId = string.Create(CultureInfo.InvariantCulture, $"{WebhookEvents.AccountHeld}:{accountId}:{since.UtcTicks}"),
        Type = WebhookEvents.AccountHeld,
        OccurredAt = since,
        Data = JsonSerializer.Serialize(new
        {
            accountId,
            decision = ((Core.Scoring.RequestOutcome)outcome).ToString().ToLowerInvariant(),
            score,
            holdUntil = until,
            campaignId,
            reasons,
        }, s_json),
    };
}

/// <summary>
/// Wakes every webhook when the silo starts (and every minute after), so that deliveries a
/// restart interrupted are attempted again without waiting for a new event.
/// </summary>
public sealed partial class WebhookWaker(IGrainFactory grains, ILogger<WebhookWaker> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    internal static readonly TimeSpan Every = TimeSpan.FromMinutes(1);
    private Timer? _timer;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WebhookWaker), ServiceLifecycleStage.Active, StartAsync, _ => Task.CompletedTask);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new Timer(_ => _ = WakeAsync(), null, TimeSpan.Zero, Every);
        return Task.CompletedTask;
    }

    private async Task WakeAsync()
    {
        try
        {
            foreach (var name in await grains.Ref<IWebhookHubGrain>(WebhookHubGrain.Key).GetNamesAsync())
            {
                await grains.Ref<IWebhookGrain>(name).WakeAsync();
            }
        }
        catch (Exception ex)
        {
            LogWakeFailed(logger, ex.GetType().Name);
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(3403, LogLevel.Warning, "Could not wake the webhooks ({ExceptionType}); tried again in a minute")]
    private static partial void LogWakeFailed(ILogger logger, string exceptionType);
}
