using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Reputation.Storage.Log;

namespace Reputation.Integration.Tests;

/// <summary>
/// The write-ahead log's segments on the real Azurite (docs/decisions/0037-write-ahead-log.md): a
/// survivor that takes a segment over under a broken lease reads every batch appended before, and
/// the writer it took the segment from can no longer add to it.
/// </summary>
public sealed class AppendBlobLogTests
{
    [Fact]
    public async Task A_writer_whose_lease_was_broken_cannot_append_and_the_new_owner_reads_everything_appended_before()
    {
        var ct = TestContext.Current.CancellationToken;
        var blob = await NewSegmentAsync(ct);
        var writer = await AppendBlobLog.OpenAsync(blob, ct);
        var batches = Enumerable.Range(0, 20).Select(i => Encoding.UTF8.GetBytes($"batch {i} " + new string('x', 100 * i))).ToList();
        await Task.WhenAll(batches.Take(10).Select(b => writer.AppendAsync(b, ct)));
        foreach (var b in batches.Skip(10))
        {
            await writer.AppendAsync(b, ct);
        }

        var survivor = await AppendBlobLog.TakeOverAsync(blob, ct);
        var read = await AppendBlobLog.ReadAsync(blob, ct);

        // Ten were appended concurrently (their order is the storage's), ten one after another.
        Assert.Equal(0, read.IgnoredBytes);
        Assert.Equal(
            batches.Take(10).Select(Encoding.UTF8.GetString).Order(),
            read.Payloads.Take(10).Select(p => Encoding.UTF8.GetString(p.Span)).Order());
        Assert.Equal(batches.Skip(10), read.Payloads.Skip(10).Select(p => p.ToArray()));

        var stale = await Assert.ThrowsAsync<LogFencedException>(() => writer.AppendAsync(Encoding.UTF8.GetBytes("late"), ct));
        Assert.Contains(blob.Name, stale.Message, StringComparison.Ordinal);
        await survivor.AppendAsync(Encoding.UTF8.GetBytes("replayed by the survivor"), ct);

        var after = await AppendBlobLog.ReadAsync(blob, ct);
        Assert.Equal(21, after.Payloads.Count);
        Assert.Equal("replayed by the survivor", Encoding.UTF8.GetString(after.Payloads[^1].Span));
    }

    [Fact]
    public async Task A_segment_held_by_a_live_writer_cannot_be_opened_by_another_and_an_append_without_its_lease_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var blob = await NewSegmentAsync(ct);
        var writer = await AppendBlobLog.OpenAsync(blob, ct);

        var second = await Assert.ThrowsAsync<RequestFailedException>(() => AppendBlobLog.OpenAsync(blob, ct));
        Assert.Equal(409, second.Status);
        using var frame = new MemoryStream(LogFrames.Frame(Encoding.UTF8.GetBytes("no lease")));
        var unleased = await Assert.ThrowsAsync<RequestFailedException>(() => blob.AppendBlockAsync(frame, cancellationToken: ct));
        Assert.Equal(412, unleased.Status);

        await writer.AppendAsync(Encoding.UTF8.GetBytes("owner"), ct);
        var read = await AppendBlobLog.ReadAsync(blob, ct);
        Assert.Equal(["owner"], read.Payloads.Select(p => Encoding.UTF8.GetString(p.Span)));
    }

    [Fact]
    public async Task A_torn_append_at_the_end_of_a_stored_segment_is_ignored_by_the_reader()
    {
        var ct = TestContext.Current.CancellationToken;
        var blob = await NewSegmentAsync(ct);
        var writer = await AppendBlobLog.OpenAsync(blob, ct);
        await writer.AppendAsync(Encoding.UTF8.GetBytes("whole"), ct);
        // What a writer that framed a batch across two appends and died between them would leave.
        var torn = LogFrames.Frame(Encoding.UTF8.GetBytes("torn batch"))[..15];
        using (var stream = new MemoryStream(torn))
        {
            await blob.AppendBlockAsync(stream, new() { Conditions = new() { LeaseId = writer.LeaseId } }, ct);
        }

        var read = await AppendBlobLog.ReadAsync(blob, ct);

        Assert.Equal(["whole"], read.Payloads.Select(p => Encoding.UTF8.GetString(p.Span)));
        Assert.Equal(15, read.IgnoredBytes);
    }

    private static async Task<AppendBlobClient> NewSegmentAsync(CancellationToken ct)
    {
        var container = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient($"log-{Guid.NewGuid():N}");
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        return container.GetAppendBlobClient("silo-0/segment-0");
    }
}
