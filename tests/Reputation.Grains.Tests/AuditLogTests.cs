using Reputation.Grains.Audit;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class AuditLogTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private IAuditLogGrain Log => Grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key);

    private AuditEntry Entry(string target, int status = 200, string action = "label.set") => new()
    {
        At = fixture.Time.GetUtcNow(),
        KeyName = "ops-key",
        Action = action,
        Target = target,
        Status = status,
        After = """{"label":"fraud"}""",
    };

    private static string UniqueTarget() => $"account:audit-{Guid.NewGuid():N}";

    [Fact]
    public async Task Appends_get_increasing_sequences_and_read_back_newest_first_with_what_was_recorded()
    {
        var target = UniqueTarget();

        var first = await Log.AppendAsync(Entry(target, 200));
        var second = await Log.AppendAsync(Entry(target, 400));
        var slice = await AuditReader.ReadAsync(Grains, before: null, limit: 10, target: target);

        Assert.True(second > first, $"{second} should follow {first}");
        Assert.Equal([second, first], slice.Records.Select(r => r.Sequence));
        Assert.Equal([400, 200], slice.Records.Select(r => r.Status));
        Assert.All(slice.Records, r => Assert.Equal("ops-key", r.KeyName));
        Assert.Equal("""{"label":"fraud"}""", slice.Records[0].After);
    }

    [Fact]
    public async Task A_log_longer_than_a_page_spans_pages_of_at_most_page_size_and_reads_across_them_in_order()
    {
        var target = UniqueTarget();
        var count = IAuditPageGrain.PageSize + 44;
        var sequences = new List<long>();
        for (var i = 0; i < count; i++)
        {
            sequences.Add(await Log.AppendAsync(Entry(target)));
        }

        var slice = await AuditReader.ReadAsync(Grains, before: null, limit: 500, target: target);

        Assert.Equal(sequences.AsEnumerable().Reverse(), slice.Records.Select(r => r.Sequence));
        Assert.True(IAuditPageGrain.PageOf(sequences[0]) < IAuditPageGrain.PageOf(sequences[^1]), "the records should span two pages");
        var next = await Log.GetNextSequenceAsync();
        for (var page = 0L; page <= IAuditPageGrain.PageOf(next - 1); page++)
        {
            var records = await Grains.GetGrain<IAuditPageGrain>(page).GetRecordsAsync();
            Assert.InRange(records.Length, 0, IAuditPageGrain.PageSize);
            Assert.All(records, r => Assert.Equal(page, IAuditPageGrain.PageOf(r.Sequence)));
        }
    }

    [Fact]
    public async Task Paging_with_the_cursor_returns_the_next_older_records_without_overlap_and_ends_with_null()
    {
        var target = UniqueTarget();
        var sequences = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            sequences.Add(await Log.AppendAsync(Entry(target)));
        }

        var seen = new List<long>();
        long? cursor = null;
        do
        {
            var slice = await AuditReader.ReadAsync(Grains, cursor, limit: 3, target: target);
            Assert.InRange(slice.Records.Count, 0, 3);
            seen.AddRange(slice.Records.Select(r => r.Sequence));
            cursor = slice.Next;
        }
        while (cursor is not null);

        Assert.Equal(sequences.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task Filters_by_action_and_target()
    {
        var target = UniqueTarget();
        await Log.AppendAsync(Entry(target, action: "label.set"));
        var policy = await Log.AppendAsync(Entry(target, action: "policy.put"));
        await Log.AppendAsync(Entry(UniqueTarget(), action: "policy.put"));

        var slice = await AuditReader.ReadAsync(Grains, before: null, limit: 10, action: "policy.put", target: target);

        Assert.Equal([policy], slice.Records.Select(r => r.Sequence));
    }

    [Fact]
    public async Task A_page_refuses_a_record_that_is_not_after_its_last_so_nothing_is_rewritten()
    {
        var target = UniqueTarget();
        var sequence = await Log.AppendAsync(Entry(target));
        var page = Grains.GetGrain<IAuditPageGrain>(IAuditPageGrain.PageOf(sequence));
        var rewrite = new AuditEntry { Sequence = sequence, At = fixture.Time.GetUtcNow(), KeyName = "x", Action = "forged", Target = target, Status = 200 };

        await Assert.ThrowsAsync<ArgumentException>(() => page.AppendAsync(rewrite).AsTask());

        var slice = await AuditReader.ReadAsync(Grains, before: null, limit: 10, target: target);
        Assert.Equal("label.set", Assert.Single(slice.Records).Action);
    }

    [Fact]
    public async Task The_log_survives_deactivation_of_its_head_and_pages()
    {
        var target = UniqueTarget();
        var sequence = await Log.AppendAsync(Entry(target));
        var page = Grains.GetGrain<IAuditPageGrain>(IAuditPageGrain.PageOf(sequence));

        await fixture.Cluster.DeactivateAsync(Log);
        await fixture.Cluster.DeactivateAsync(page);
        var slice = await AuditReader.ReadAsync(Grains, before: null, limit: 10, target: target);
        var later = await Log.AppendAsync(Entry(target));

        Assert.Equal([sequence], slice.Records.Select(r => r.Sequence));
        Assert.True(later > sequence, $"{later} should follow {sequence} after reactivation");
    }
}
