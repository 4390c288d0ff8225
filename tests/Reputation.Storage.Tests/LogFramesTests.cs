using System.Text;
using Reputation.Storage.Log;

namespace Reputation.Storage.Tests;

/// <summary>The write-ahead log's framing (docs/decisions/0037-write-ahead-log.md): what a reader gets back from a segment.</summary>
public sealed class LogFramesTests
{
    private static readonly byte[][] s_batches =
    [
        Encoding.UTF8.GetBytes("""{"events":[{"id":"e-1","type":"usage","accountId":"a-1"}]}"""),
        [],
        [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31))],
        Encoding.UTF8.GetBytes("""{"events":[{"id":"e-2","type":"usage","accountId":"a-2"}]}"""),
    ];

    [Fact]
    public void A_reader_gets_back_exactly_the_batches_written_in_order()
    {
        var log = Segment(s_batches);

        var contents = LogFrames.Read(log);

        Assert.Equal(s_batches.Length, contents.Payloads.Count);
        for (var i = 0; i < s_batches.Length; i++)
        {
            Assert.Equal(s_batches[i], contents.Payloads[i].ToArray());
        }

        Assert.Equal(0, contents.IgnoredBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(LogFrames.HeaderSize - 1)]
    [InlineData(LogFrames.HeaderSize)]
    [InlineData(LogFrames.HeaderSize + 100)]
    public void A_torn_final_append_is_ignored_and_reported_and_the_batches_before_it_are_read(int tornLength)
    {
        var whole = Segment(s_batches);
        var last = LogFrames.Frame(new byte[500]);
        var log = whole.Concat(last.Take(tornLength)).ToArray();

        var contents = LogFrames.Read(log);

        Assert.Equal(s_batches.Length, contents.Payloads.Count);
        Assert.Equal(s_batches[^1], contents.Payloads[^1].ToArray());
        Assert.Equal(tornLength, contents.IgnoredBytes);
    }

    [Fact]
    public void A_frame_whose_bytes_changed_is_not_read_as_a_batch()
    {
        var log = Segment(s_batches);
        // The third frame follows the first (header and payload) and the second (an empty payload: a header alone).
        var third = LogFrames.HeaderSize + s_batches[0].Length + LogFrames.HeaderSize;
        log[third + LogFrames.HeaderSize + 1000] ^= 0x01;

        var contents = LogFrames.Read(log);

        Assert.Equal(2, contents.Payloads.Count);
        Assert.Equal(log.Length - third, contents.IgnoredBytes);
    }

    [Fact]
    public void A_payload_larger_than_one_append_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LogFrames.Frame(new byte[LogFrames.MaxPayload + 1]));
    }

    private static byte[] Segment(IEnumerable<byte[]> batches) => [.. batches.SelectMany(b => LogFrames.Frame(b))];
}
