using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Reputation.Storage.Log;

/// <summary>
/// One writer's segment of the write-ahead log: an append blob held under an infinite lease, each
/// batch one framed append conditioned on that lease (docs/decisions/0037-write-ahead-log.md). The
/// lease is the fence: once another process breaks it to take the segment over, every append of the
/// old writer is refused with <see cref="LogFencedException"/>, so nothing is accepted into a segment
/// whose new owner has already read it. Appends may be issued concurrently; each lands whole.
/// </summary>
public sealed class AppendBlobLog
{
    private readonly AppendBlobClient _blob;
    private readonly AppendBlobRequestConditions _conditions;

    private AppendBlobLog(AppendBlobClient blob, string leaseId)
    {
        _blob = blob;
        LeaseId = leaseId;
        _conditions = new AppendBlobRequestConditions { LeaseId = leaseId };
    }

    public string LeaseId { get; }

    /// <summary>Creates the segment if it does not exist and leases it; fails (409) if another writer holds it.</summary>
    public static async Task<AppendBlobLog> OpenAsync(AppendBlobClient blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var lease = await blob.GetBlobLeaseClient().AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new AppendBlobLog(blob, lease.Value.LeaseId);
    }

    /// <summary>
    /// Takes the segment from a writer presumed dead: breaks its lease at once and leases it anew.
    /// From the break on, the old writer's appends are refused; the caller then reads the segment
    /// (<see cref="ReadAsync"/>) knowing nothing more can be added to it except by itself.
    /// </summary>
    public static async Task<AppendBlobLog> TakeOverAsync(AppendBlobClient blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var leases = blob.GetBlobLeaseClient();
        try
        {
            await leases.BreakAsync(TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "LeaseNotPresentWithLeaseOperation")
        {
            // Nobody holds it (a writer that died before leasing, or a lease broken before): lease it.
        }

        var lease = await leases.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new AppendBlobLog(blob, lease.Value.LeaseId);
    }

    /// <summary>The segment's name in its container.</summary>
    public string Name => _blob.Name;

    /// <summary>Appends one frame holding <paramref name="payload"/>; completes when it is stored, with the segment's number of appends then.</summary>
    public async Task<int> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        using var frame = new MemoryStream(LogFrames.Frame(payload.Span), writable: false);
        try
        {
            var stored = await _blob.AppendBlockAsync(frame, new AppendBlobAppendBlockOptions { Conditions = _conditions }, cancellationToken).ConfigureAwait(false);
            return stored.Value.BlobCommittedBlockCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 412 && ex.ErrorCode is { } code && code.StartsWith("Lease", StringComparison.Ordinal))
        {
            throw new LogFencedException(_blob.Name, ex);
        }
    }

    /// <summary>Deletes the segment (retired: everything it held is stored elsewhere); refused to a writer that was fenced off.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { LeaseId = LeaseId }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 412 && ex.ErrorCode is { } code && code.StartsWith("Lease", StringComparison.Ordinal))
        {
            throw new LogFencedException(_blob.Name, ex);
        }
    }

    /// <summary>Reads the whole segment: the payloads of its whole frames, in the order they were stored.</summary>
    public static async Task<LogContents> ReadAsync(AppendBlobClient blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return LogFrames.Read(content.Value.Content.ToMemory());
    }
}

/// <summary>An append refused because another process has taken the log segment over (its lease was broken).</summary>
public sealed class LogFencedException(string segment, Exception inner)
    : Exception($"the log segment {segment} was taken over by another writer: this writer may no longer append to it", inner);
