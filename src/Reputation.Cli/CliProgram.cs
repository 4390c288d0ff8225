using Reputation.Client;
using Spectre.Console;

namespace Reputation.Cli;

/// <summary>The <c>reputation</c> command: the real console, and clients for the service at <c>--url</c>.</summary>
public static class CliProgram
{
    public static Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return ReputationCli.RunAsync(args, AnsiConsole.Console, Connect, cancel.Token);
    }

    private static ReputationClient Connect(CliConnection connection)
    {
        var http = new HttpClient { BaseAddress = connection.Url };
        return ReputationClient.Create(http, new ReputationClientOptions
        {
            BaseAddress = connection.Url,
            ApiKey = connection.ApiKey,
            // An operator waits for an answer: a cold grain or a slow storage read is not a fallback here.
            DecisionTimeout = TimeSpan.FromSeconds(10),
            ReadTimeout = TimeSpan.FromSeconds(30),
        });
    }
}
