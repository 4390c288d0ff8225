using Reputation.Simulator.Reporting;

namespace Reputation.Simulator;

/// <summary><c>summarize</c>: a folder of run reports to the sweep table (Markdown and JSON).</summary>
internal static class SummarizeCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        string? runs = null, markdown = null, json = null;
        var seedSet = "report";
        IReadOnlyList<string>? order = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "-h" or "--help")
            {
                output.WriteLine(SimulatorArguments.Usage);
                return 0;
            }

            if (i + 1 >= args.Count)
            {
                errors.WriteLine($"error: {args[i]} needs a value");
                return 2;
            }

            var value = args[++i];
            switch (args[i - 1])
            {
                case "--runs": runs = value; break;
                case "--seed-set": seedSet = value; break;
                case "--markdown": markdown = value; break;
                case "--json": json = value; break;
                case "--order": order = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                default:
                    errors.WriteLine($"error: unknown summarize option '{args[i - 1]}'");
                    return 2;
            }
        }

        if (runs is null || !Directory.Exists(runs))
        {
            errors.WriteLine($"error: --runs must name a folder of run reports{(runs is null ? "" : $" ('{runs}' is not one)")}");
            return 2;
        }

        SweepResult result;
        try
        {
            result = SweepSummary.FromFolder(runs, seedSet, order);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            errors.WriteLine($"error: cannot read the run reports in {runs}: {ex.Message}");
            return 1;
        }

        var table = SweepSummary.ToMarkdown(result);
        if (markdown is null)
        {
            output.Write(table);
        }
        else
        {
            File.WriteAllText(markdown, table);
        }

        if (json is not null)
        {
            File.WriteAllText(json, SweepSummary.ToJson(result) + Environment.NewLine);
        }

        return 0;
    }
}
