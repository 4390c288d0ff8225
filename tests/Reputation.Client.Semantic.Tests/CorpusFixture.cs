[assembly: AssemblyFixture(typeof(Reputation.Client.Semantic.Tests.CorpusFixture))]

namespace Reputation.Client.Semantic.Tests;

/// <summary>One model for the whole test run (loading it takes about a second), and the corpus measured once under both fingerprints.</summary>
public sealed class CorpusFixture : IDisposable
{
    private readonly Lazy<CorpusDistances> _semantic;
    private readonly Lazy<CorpusDistances> _simHash;

    public CorpusFixture()
    {
        Fingerprint = new SemanticFingerprint();
        _semantic = new(() => new CorpusDistances("Semantic fingerprint (SemanticFingerprint.ComputeValues)", Fingerprint.ComputeValues));
        _simHash = new(() => new CorpusDistances("SimHash (PromptFingerprint.ComputeValue)", prompts => [.. prompts.Select(PromptFingerprint.ComputeValue)]));
    }

    public SemanticFingerprint Fingerprint { get; }

    internal CorpusDistances Semantic => _semantic.Value;

    internal CorpusDistances SimHash => _simHash.Value;

    public void Dispose() => Fingerprint.Dispose();
}
