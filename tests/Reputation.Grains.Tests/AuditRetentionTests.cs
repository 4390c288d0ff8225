using Microsoft.Extensions.DependencyInjection;
using Reputation.Grains.Audit;

namespace Reputation.Grains.Tests;

/// <summary>A silo of its own whose audit log keeps 30 days: the shared cluster's log keeps everything.</summary>
public sealed class AuditRetentionFixture : SiloFixture
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton(new AuditRetention(Retention));
}

public sealed class AuditRetentionTests(AuditRetentionFixture fixture) : IClassFixture<AuditRetentionFixture>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    private IAuditLogGrain Log => Grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key);

    private Task<long> AppendAsync() => Log.AppendAsync(new AuditEntry
    {
        At = fixture.Time.GetUtcNow(), KeyName = "ops", Action = "label.set", Target = "account:kept-or-not", Status = 200,
    }).AsTask();

    [Fact]
    public async Task A_whole_page_older_than_the_retention_is_removed_and_reads_end_where_the_log_now_begins()
    {
        for (var i = 0; i < IAuditPageGrain.PageSize; i++)
        {
            await AppendAsync();
        }

        fixture.Time.Advance(AuditRetentionFixture.Retention - TimeSpan.FromDays(1));
        var young = await AppendAsync();
        Assert.Equal(0, await Log.GetFirstPageAsync());
        Assert.Equal(IAuditPageGrain.PageSize, (await Grains.GetGrain<IAuditPageGrain>(0).GetRecordsAsync()).Length);

        fixture.Time.Advance(TimeSpan.FromDays(2));
        var latest = await AppendAsync();

        Assert.Equal(1, await Log.GetFirstPageAsync());
        Assert.Empty(await Grains.GetGrain<IAuditPageGrain>(0).GetRecordsAsync());
        var slice = await AuditReader.ReadAsync(Grains, before: null, limit: 500);
        Assert.Equal([latest, young], slice.Records.Select(r => r.Sequence));
        Assert.Null(slice.Next);
    }
}
