using System.Text;

namespace Reputation.Simulator.Generation;

/// <summary>Templates with <c>{slot}</c> placeholders, as campaign scenarios write them.</summary>
internal static class PromptTemplate
{
    public static IEnumerable<string> SlotsOf(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var start = -1;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{')
            {
                start = i;
            }
            else if (template[i] == '}' && start >= 0)
            {
                yield return template[(start + 1)..i];
                start = -1;
            }
        }
    }

    public static bool IsWellFormed(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var open = false;
        foreach (var c in template)
        {
            if (c == '{')
            {
                if (open)
                {
                    return false;
                }

                open = true;
            }
            else if (c == '}')
            {
                if (!open)
                {
                    return false;
                }

                open = false;
            }
        }

        return !open;
    }

    /// <summary>Fills each placeholder with a value picked from its slot list.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, IReadOnlyList<string>> slots, SimRandom random)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(random);
        var result = new StringBuilder(template.Length + 64);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }

            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }

            result.Append(template, i, open - i);
            var name = template[(open + 1)..close];
            result.Append(slots.TryGetValue(name, out var values) && values.Count > 0 ? random.Pick(values) : template[open..(close + 1)]);
            i = close + 1;
        }

        return result.ToString();
    }
}
