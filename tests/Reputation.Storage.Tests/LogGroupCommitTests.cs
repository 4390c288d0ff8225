using Reputation.Storage.Log;

namespace Reputation.Storage.Tests;

/// <summary>
/// The pure pieces of the ingest write-ahead log (docs/decisions/0039-write-ahead-log-ingest.md):
/// group commit of batches into appends, and a segment's accounting.
/// </summary>
public sealed class LogGroupCommitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Records_handed_in_while_an_append_is_in_flight_go_together_in_the_next_one_and_each_waits_for_its_own()
    {
        var appends = new List<(byte[] Payload, int Records, TaskCompletionSource<int> Stored)>();
        var appended = new SemaphoreSlim(0);
        var commit = new LogGroupCommit<int>((payload, records) =>
        {
            var stored = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (appends)
            {
                appends.Add((payload.ToArray(), records, stored));
            }

            appended.Release();
            return stored.Task;
        });

        var first = commit.AppendAsync(new byte[] { 1 });
        Assert.True(await appended.WaitAsync(Bound, TestContext.Current.CancellationToken));
        var waiting = Enumerable.Range(2, 50).Select(i => commit.AppendAsync(new byte[] { (byte)i, (byte)i })).ToList();

        Assert.False(first.IsCompleted);
        appends[0].Stored.SetResult(1);
        Assert.Equal(1, await first.WaitAsync(Bound, TestContext.Current.CancellationToken));

        // The 50 that arrived while the first append was in flight: one append.
        Assert.True(await appended.WaitAsync(Bound, TestContext.Current.CancellationToken));
        Assert.Equal(2, appends.Count);
        Assert.Equal(50, appends[1].Records);
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        var records = LogRecords.Unpack(appends[1].Payload);
        Assert.Equal(Enumerable.Range(2, 50).Select(i => new[] { (byte)i, (byte)i }), records.Select(r => r.ToArray()));

        appends[1].Stored.SetResult(2);
        Assert.All(await Task.WhenAll(waiting).WaitAsync(Bound, TestContext.Current.CancellationToken), position => Assert.Equal(2, position));
        Assert.False(await appended.WaitAsync(TimeSpan.Zero, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_failed_append_fails_every_record_it_carried_and_the_next_records_are_appended_again()
    {
        var calls = 0;
        var commit = new LogGroupCommit<int>((_, _) =>
            Interlocked.Increment(ref calls) == 1 ? Task.FromException<int>(new IOException("storage did not answer")) : Task.FromResult(7));

        await Assert.ThrowsAsync<IOException>(() => commit.AppendAsync(new byte[] { 1 }).WaitAsync(Bound, TestContext.Current.CancellationToken));

        Assert.Equal(7, await commit.AppendAsync(new byte[] { 2 }).WaitAsync(Bound, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_append_never_carries_more_than_its_bound_and_a_record_over_it_is_refused()
    {
        var sizes = new List<int>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new LogGroupCommit<int>(async (payload, _) =>
        {
            lock (sizes)
            {
                sizes.Add(payload.Length);
            }

            await release.Task;
            return 0;
        }, maxPayload: 100);

        var all = Enumerable.Range(0, 10).Select(_ => commit.AppendAsync(new byte[40])).ToList();
        release.SetResult();
        await Task.WhenAll(all).WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.All(sizes, s => Assert.True(s <= 100, $"{s} bytes"));
        Assert.Equal(10 * 44, sizes.Sum());
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = commit.AppendAsync(new byte[97]); });
    }

    [Fact]
    public void Records_unpack_as_they_were_packed_and_a_payload_cut_inside_a_record_is_refused()
    {
        byte[][] records = [[], [1, 2, 3], [.. Enumerable.Range(0, 1000).Select(i => (byte)i)]];

        var payload = LogRecords.Pack([.. records.Select(r => (ReadOnlyMemory<byte>)r)]);

        Assert.Equal(records, LogRecords.Unpack(payload).Select(r => r.ToArray()));
        Assert.Throws<InvalidDataException>(() => LogRecords.Unpack(payload.AsMemory(0, payload.Length - 1)));
    }

    [Fact]
    public void A_segment_is_drained_only_once_sealed_and_every_stored_record_is_applied()
    {
        var segment = new SegmentApplies();
        segment.Stored(3);
        segment.Applied();
        segment.Applied();
        segment.Applied();
        Assert.False(segment.Drained.IsCompleted);

        segment.Stored(2);
        segment.Seal();
        Assert.False(segment.Drained.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => segment.Stored(1));

        segment.Applied();
        Assert.False(segment.Drained.IsCompleted);
        segment.Applied();
        Assert.True(segment.Drained.IsCompletedSuccessfully);
        Assert.Equal(5, segment.Records);
        Assert.Throws<InvalidOperationException>(segment.Applied);
    }
}
