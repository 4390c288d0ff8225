// A gateway's use of Reputation.Client from its NuGet package: record a request's usage, then ask
// whether to serve the account. REPUTATION_URL and REPUTATION_API_KEY name the service.
using Microsoft.Extensions.DependencyInjection;
using Reputation.Client;
using Reputation.Contracts;

var url = Environment.GetEnvironmentVariable("REPUTATION_URL") ?? "http://127.0.0.1:5080";
var key = Environment.GetEnvironmentVariable("REPUTATION_API_KEY") ?? "dev-service-key";

var services = new ServiceCollection().AddLogging();
services.AddReputationClient(o =>
{
    o.BaseAddress = new Uri(url);
    o.ApiKey = key;
    o.DecisionTimeout = TimeSpan.FromSeconds(10); // a sample's first call meets a cold service
});
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<ReputationClient>();

const string Prompt = "You are an expert tutor. Solve 12x+7=43 step by step and give the final answer on its own line.";
const string Ip = "198.51.100.7";
var account = "sample-" + Guid.NewGuid().ToString("N");

var result = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = Ip });
if (result.IsFallback)
{
    Console.WriteLine($"decision {result.Response.Decision}: the configured fallback ({result.FallbackCause})");
    return 1;
}

Console.WriteLine($"decision {result.Response.Decision} at {result.Response.RequestsPerMinute} requests/min, from the service (policy {result.Response.PolicyVersion})");

// Then, after serving it: the prompt's fingerprint and score are computed here; the prompt is never sent.
var usage = new UsageBuffer(client);
usage.Record(account, Ip, Prompt, inputTokens: 100, outputTokens: 400, model: "m1");
await usage.DisposeAsync(); // sends what it holds
Console.WriteLine($"usage events sent: {usage.Sent} (prompt fingerprint {PromptFingerprint.Compute(Prompt)}, reasoning elicitation {ReasoningElicitation.Score(Prompt)})");
return usage.Sent == 1 ? 0 : 1;
