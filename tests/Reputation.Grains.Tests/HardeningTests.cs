using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class HardeningTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    [Fact]
    public async Task Usage_counters_saturate_at_the_largest_count_instead_of_turning_negative()
    {
        var account = Grains.GetGrain<IAccountGrain>($"saturate-{Guid.NewGuid():N}");
        // A range no other test class of the shared cluster uses.
        const string range = "203.0.113.0/24";
        UsageEvent Huge() => new()
        {
            EventId = Events.NewId("huge"),
            OccurredAt = Now,
            IpRange = range,
            Requests = long.MaxValue,
            InputTokens = long.MaxValue,
            OutputTokens = long.MaxValue,
        };

        Assert.Equal([EventStatus.Accepted, EventStatus.Accepted], await account.RecordAsync([Huge(), Huge()]));

        var usage = (await account.GetSnapshotAsync())!.Usage;
        Assert.Equal(long.MaxValue, usage.RequestsTotal);
        Assert.Equal(long.MaxValue, usage.RequestsLastMinute);
        Assert.Equal(long.MaxValue, usage.RequestsLastHour);
        Assert.Equal(long.MaxValue, usage.TokensLastHour);
        Assert.Equal(long.MaxValue, (await Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync())!.Usage.RequestsTotal);
    }

    [Fact]
    public async Task A_stored_range_entry_wider_than_the_bound_is_reported_when_the_lists_load_and_is_not_applied()
    {
        var lists = Grains.GetGrain<IListsGrain>(ListsGrain.Key);
        // As stored before the API refused such entries: the grain itself keeps what it is given.
        var wide = new ListItem { List = ListName.Allow, Entity = ListEntity.IpRange, EntityId = "0.0.0.0/0", Reason = "stored earlier", AddedBy = "grain-tests", AddedAt = Now };
        var narrow = new ListItem { List = ListName.Deny, Entity = ListEntity.IpRange, EntityId = "100.0.0.0/8", Reason = "within the bound", AddedBy = "grain-tests", AddedAt = Now };
        Assert.Equal(ListPutStatus.Applied, (await lists.PutAsync(wide)).Status);
        Assert.Equal(ListPutStatus.Applied, (await lists.PutAsync(narrow)).Status);
        try
        {
            var silo = fixture.Cluster.Silos[0] as Orleans.TestingHost.InProcessSiloHandle;
            var logger = new RecordingLogger<ListCache>();
            // A silo starting: a fresh copy of the lists, loaded from the grain.
            using var cache = new ListCache(silo!.ServiceProvider.GetRequiredService<IGrainFactory>(), new ReputationClock(fixture.Time), logger);
            await cache.RenewAsync();

            var warning = Assert.Single(logger.Messages, m => m.Level == LogLevel.Warning);
            Assert.Contains("allow list is a /0", warning.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("0.0.0.0", warning.Text, StringComparison.Ordinal);
            Assert.Null(cache.Match("acct-wide", [], ["198.51.100.0/24"], []));
            Assert.Equal(ListName.Deny, cache.Match("acct-narrow", [], ["100.64.3.0/24"], [])?.Entry.List);
        }
        finally
        {
            await lists.RemoveAsync(ListName.Allow, ListEntity.IpRange, wide.EntityId);
            await lists.RemoveAsync(ListName.Deny, ListEntity.IpRange, narrow.EntityId);
        }
    }

    private sealed class RecordingLogger<T> : ILogger<T>
    {
        private readonly List<(LogLevel Level, string Text)> _messages = [];

        public IReadOnlyList<(LogLevel Level, string Text)> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
