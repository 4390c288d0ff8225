namespace Reputation.Simulator.Tests;

/// <summary>Deterministic stand-ins for the client's fingerprint and elicitation score, for tests of the generator alone.</summary>
internal static class Fakes
{
    /// <summary>FNV-1a of the text as 16 lowercase hex digits: equal texts, equal fingerprints.</summary>
    public static string Fingerprint(string prompt)
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var c in prompt)
        {
            hash = (hash ^ c) * 0x100000001b3UL;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static double Elicitation(string prompt) => prompt.Contains("step", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
}
