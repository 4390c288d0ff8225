using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using Reputation.Grains.Webhooks;

namespace Reputation.Grains.Tests;

/// <summary>Grain storage (serialised copies) that refuses, while a test says so, the writes and removals of one state name, as a storage outage on one table row would.</summary>
public sealed class FailingStorage(Serializer serializer) : SerializedRows(serializer)
{
    private volatile string? _failing;

    /// <summary>Writes and removals of this state (null: none) fail from now on.</summary>
    public void Fail(string? stateName) => _failing = stateName;

    public override Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ThrowIfFailing(stateName);
        Store(stateName, grainId, grainState, Serializer.SerializeToArray(grainState.State));
        return Task.CompletedTask;
    }

    public override Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ThrowIfFailing(stateName);
        Remove(stateName, grainId);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private void ThrowIfFailing(string stateName)
    {
        if (string.Equals(stateName, _failing, StringComparison.Ordinal))
        {
            throw new IOException($"storage refuses '{stateName}' (test)");
        }
    }
}

/// <summary>
/// A webhook's configuration is two rows, the webhook's and the hub's subscription: a PUT or a
/// DELETE that storage refuses half-way leaves the webhook as it was, configured and receiving
/// what it received before (docs/decisions/0024-webhook-outbox.md).
/// </summary>
public sealed class WebhookChangeTests : IAsyncLifetime
{
    private const string HubState = "webhooks";
    private const string WebhookState = "webhook";
    private InProcessTestCluster _cluster = null!;

    private FailingStorage Storage => _cluster.Storage<FailingStorage>();

    private IWebhookHubGrain Hub => _cluster.Client.GetGrain<IWebhookHubGrain>(WebhookHubGrain.Key);

    public async ValueTask InitializeAsync() => _cluster = await StorageCluster.DeployAsync(serializer => new FailingStorage(serializer));

    public async ValueTask DisposeAsync() => await StorageCluster.StopAsync(_cluster);

    private static WebhookConfig Config(string url, params string[] events) => new() { Url = url, Secret = "change-test-secret-0123", Events = events };

    /// <summary>Publishes an event of the type and answers whether the webhook took it into its deliveries.</summary>
    private async Task<bool> ReceivesAsync(IWebhookGrain webhook, string type)
    {
        var id = $"{type}:{Guid.NewGuid():N}";
        await Hub.PublishAsync(new WebhookEvent { EventId = id, Type = type, OccurredAt = DateTimeOffset.UtcNow, Data = "{}" });
        return (await webhook.GetDeliveriesAsync()).Any(d => d.EventId == id);
    }

    [Fact]
    public async Task A_PUT_whose_subscription_is_not_stored_leaves_the_webhook_as_it_was_or_absent()
    {
        var name = $"change-{Guid.NewGuid():N}"[..20];
        var webhook = _cluster.Client.GetGrain<IWebhookGrain>(name);
        await webhook.ConfigureAsync(Config("https://before.example/hook", "account.held"));

        Storage.Fail(HubState);
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.ConfigureAsync(Config("https://after.example/hook", "label.applied")).AsTask());
        var fresh = _cluster.Client.GetGrain<IWebhookGrain>(name + "-new");
        await Assert.ThrowsAnyAsync<Exception>(() => fresh.ConfigureAsync(Config("https://after.example/hook", "label.applied")).AsTask());
        Storage.Fail(null);

        var kept = await webhook.GetAsync();
        Assert.NotNull(kept);
        Assert.Equal("https://before.example/hook", kept.Url);
        Assert.Equal(["account.held"], kept.Events);
        Assert.True(await ReceivesAsync(webhook, "account.held"));
        Assert.False(await ReceivesAsync(webhook, "label.applied"));
        Assert.Null(await fresh.GetAsync());
        Assert.False(await ReceivesAsync(fresh, "label.applied"));
    }

    [Fact]
    public async Task A_PUT_whose_webhook_row_is_not_stored_leaves_it_receiving_what_it_received()
    {
        var name = $"change-{Guid.NewGuid():N}"[..20];
        var webhook = _cluster.Client.GetGrain<IWebhookGrain>(name);
        await webhook.ConfigureAsync(Config("https://before.example/hook", "account.held", "label.applied"));

        Storage.Fail(WebhookState);
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.ConfigureAsync(Config("https://after.example/hook", "account.held")).AsTask());
        Storage.Fail(null);

        var kept = await webhook.GetAsync();
        Assert.NotNull(kept);
        Assert.Equal("https://before.example/hook", kept.Url);
        Assert.True(await ReceivesAsync(webhook, "label.applied"));

        // And a PUT that storage takes narrows the subscription as asked.
        await webhook.ConfigureAsync(Config("https://after.example/hook", "account.held"));
        Assert.False(await ReceivesAsync(webhook, "label.applied"));
        Assert.True(await ReceivesAsync(webhook, "account.held"));
    }

    [Fact]
    public async Task A_DELETE_that_storage_refuses_leaves_the_webhook_whole_and_subscribed()
    {
        var name = $"change-{Guid.NewGuid():N}"[..20];
        var webhook = _cluster.Client.GetGrain<IWebhookGrain>(name);
        await webhook.ConfigureAsync(Config("https://before.example/hook", "account.held"));

        Storage.Fail(WebhookState);
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.DeleteAsync().AsTask());
        Storage.Fail(null);

        Assert.NotNull(await webhook.GetAsync());
        Assert.Contains(name, await Hub.GetNamesAsync());
        Assert.True(await ReceivesAsync(webhook, "account.held"));

        Assert.True(await webhook.DeleteAsync());
        Assert.Null(await webhook.GetAsync());
        Assert.DoesNotContain(name, await Hub.GetNamesAsync());
    }
}
