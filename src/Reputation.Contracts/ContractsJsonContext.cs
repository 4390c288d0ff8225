using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reputation.Contracts;

/// <summary>
/// Source-generated JSON metadata and serialisers for the contract types on the hot paths
/// (decisions and events), with the web defaults the service uses (camelCase names). The service
/// puts it first in its resolver chain; every other type falls back to reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SignupDecisionRequest))]
[JsonSerializable(typeof(SignupDecisionResponse))]
[JsonSerializable(typeof(RequestDecisionRequest))]
[JsonSerializable(typeof(RequestDecisionResponse))]
[JsonSerializable(typeof(BillingDecisionRequest))]
[JsonSerializable(typeof(BillingDecisionResponse))]
[JsonSerializable(typeof(IngestEvent))]
[JsonSerializable(typeof(EventBatch))]
[JsonSerializable(typeof(EventBatchResult))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
