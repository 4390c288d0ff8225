using Orleans.Serialization;
using Orleans.Storage;

namespace Reputation.Grains.State;

/// <summary>
/// How grain state is written to storage: Orleans' binary format (the state types are
/// <c>[GenerateSerializer]</c> with <c>[Id]</c>s, so members can be added without breaking
/// what is stored). State written as JSON by earlier builds is still read, and is written back in
/// binary at its next change (docs/decisions/0015-state-serializer.md).
/// </summary>
public sealed class StateSerializer(Serializer serializer, OrleansJsonSerializer json) : IGrainStorageSerializer
{
    private readonly OrleansGrainStorageSerializer _binary = new(serializer);
    private readonly JsonGrainStorageSerializer _json = new(json);

    /// <summary>
    /// The same bytes as <see cref="OrleansGrainStorageSerializer"/> writes, in an array of exactly
    /// their length: that serializer returns a slice of its growing buffer, up to twice the state
    /// (512 bytes for a 471-byte account state in the test), allocated on every write.
    /// </summary>
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T? Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bytes = input.ToMemory().Span;
        // A binary record of a state object starts with a tag-delimited field header, never '{'.
        return bytes.Length > 0 && bytes[0] == (byte)'{' ? _json.Deserialize<T>(input) : _binary.Deserialize<T>(input);
    }
}
