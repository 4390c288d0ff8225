using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Simulator.Running;

/// <summary>
/// The operator calls a run makes that <see cref="ReputationClient"/> does not offer: importing a
/// partner's STIX bundle (<c>POST /v1/intel/stix</c>) and setting a producer's trust in the default
/// policy (<c>GET</c>, then <c>PUT</c> with <c>If-Match</c>, <c>/v1/policies/default</c>). They go over
/// the run's own <see cref="HttpClient"/> with the same key. A refused call ends the run.
/// </summary>
internal sealed class OperatorCalls(HttpClient http, Uri baseAddress, string apiKey)
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);

    public async Task<StixImportResult> ImportStixAsync(string bundle, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "v1/intel/stix");
        request.Content = new StringContent(bundle, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new SimulationFailedException($"The service refused the partner's STIX bundle ({(int)response.StatusCode}): {Cut(body)}");
        }

        return JsonSerializer.Deserialize<StixImportResult>(body, _json)
            ?? throw new SimulationFailedException("The service answered the STIX import with an empty body.");
    }

    /// <summary>Sets <c>intel.producerTrust[producer]</c> in the default policy; returns the version saved.</summary>
    public async Task<string> SetProducerTrustAsync(string producer, double trust, CancellationToken cancellationToken)
    {
        using var get = Request(HttpMethod.Get, "v1/policies/default");
        using var current = await http.SendAsync(get, cancellationToken);
        var text = await current.Content.ReadAsStringAsync(cancellationToken);
        if (!current.IsSuccessStatusCode || current.Headers.ETag is not { } etag)
        {
            throw new SimulationFailedException($"The service did not answer GET /v1/policies/default with a policy and an ETag ({(int)current.StatusCode}): {Cut(text)}");
        }

        var policy = JsonNode.Parse(text)?.AsObject()
            ?? throw new SimulationFailedException("GET /v1/policies/default answered something other than a JSON object.");
        if (policy["intel"] is not JsonObject intel)
        {
            throw new SimulationFailedException("The default policy has no 'intel' section to set a producer's trust in.");
        }

        if (intel["producerTrust"] is not JsonObject producers)
        {
            intel["producerTrust"] = producers = [];
        }

        producers[producer] = trust;
        using var put = Request(HttpMethod.Put, "v1/policies/default");
        put.Headers.IfMatch.Add(etag);
        put.Content = new StringContent(policy.ToJsonString(), Encoding.UTF8, "application/json");
        using var saved = await http.SendAsync(put, cancellationToken);
        var answer = await saved.Content.ReadAsStringAsync(cancellationToken);
        if (!saved.IsSuccessStatusCode)
        {
            throw new SimulationFailedException($"The service refused the policy with the partner's trust ({(int)saved.StatusCode}): {Cut(answer)}");
        }

        return saved.Headers.ETag?.Tag.Trim('"') ?? "?";
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(baseAddress, path));
        request.Headers.Add(ReputationClient.ApiKeyHeaderName, apiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private static string Cut(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
