using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Reputation.Api.Hosting;
using Reputation.Api.Security;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Reputation.Api.OpenApi;

internal static partial class SwaggerSetup
{
    /// <summary>Where Swagger UI and the OpenAPI document (<c>/swagger/v1/swagger.json</c>) are served.</summary>
    public const string Path = "/swagger";

    private static readonly string[] s_docFiles = ["Reputation.Contracts.xml", "Reputation.Core.xml"];

    /// <summary>
    /// Serves Swagger UI and the OpenAPI document when <see cref="SwaggerOptions.Enabled"/> (on in
    /// Development unless configured off); outside Development only to a key with the <c>read</c>
    /// scope. After authentication, which the key check reads.
    /// </summary>
    public static WebApplication UseReputationSwagger(this WebApplication app, SwaggerOptions options)
    {
        var served = options.Served(app.Environment);
        var keyRequired = served && !app.Environment.IsDevelopment();
        SwaggerConfigured(app.Logger, Path, !served ? "off" : keyRequired ? "on, read scope" : "on, no key");
        if (!served)
        {
            // Nothing answers under /swagger: a 404 like any unknown path.
            return app;
        }

        if (keyRequired)
        {
            // Swashbuckle serves both as middleware, not endpoints, so the scope is checked here.
            app.UseWhen(http => http.Request.Path.StartsWithSegments(Path), branch => branch.Use(RequireReadScopeAsync));
        }

        // The server is the one the document was asked of, so "Try it out" and generated clients
        // call the service that served it, whatever its address (a proxy, a port-forward, a silo).
        app.UseSwagger(o => o.PreSerializeFilters.Add((document, request) =>
            document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host.Value}{request.PathBase}", Description = "This deployment" }]));
        app.UseSwaggerUI(o =>
        {
            o.DocumentTitle = "Reputation API";
            o.EnablePersistAuthorization();
            o.EnableTryItOutByDefault();
        });
        return app;
    }

    private static async Task RequireReadScopeAsync(HttpContext http, RequestDelegate next)
    {
        var allowed = await http.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(http.User, Scopes.Read);
        if (allowed.Succeeded)
        {
            await next(http);
        }
        else if (http.User.Identity?.IsAuthenticated == true)
        {
            await http.ForbidAsync(ApiKeyAuthenticationHandler.SchemeName);
        }
        else
        {
            await http.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
        }
    }

    [LoggerMessage(1102, LogLevel.Information, "Swagger UI and the OpenAPI document on {Path}: {Access}")]
    private static partial void SwaggerConfigured(ILogger logger, string path, string access);

    public static IServiceCollection AddReputationSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Reputation API",
                Version = "v1",
                Description = "Account reputation against adversarial distillation: decisions for signup, the rate limiter and billing; " +
                    "event ingestion; entity views. Authorize with an API key (X-Api-Key). In Development the keys are " +
                    "dev-service-key (decide, ingest, read) and dev-operator-key (all scopes).",
                // No licence has been granted for this code; the document says so rather than leave it
                // unsaid, with a page that explains what having no licence means.
                License = new OpenApiLicense { Name = "No licence: all rights reserved", Url = new Uri("https://choosealicense.com/no-permission/") },
            });
            // A STIX bundle is read and written as a JsonObject only by the threat-intel endpoints;
            // described as the bundle it is rather than as .NET's JsonNode type.
            o.MapType<JsonObject>(StixBundleSchema);
            // Policies are read and written by PolicyJson, which names enums in camelCase strings.
            o.MapType<RequestOutcome>(CamelCaseEnumSchema<RequestOutcome>);
            o.MapType<CountermeasureMode>(CamelCaseEnumSchema<CountermeasureMode>);
            o.DocumentFilter<TagDescriptionsDocumentFilter>();
            o.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = $"API key. Each key has scopes: {string.Join(", ", Scopes.All)}.",
            });
            // Field descriptions come from the contract's XML docs, so Swagger and the client agree.
            // The policy's fields (units, ranges) come from Core's.
            foreach (var docs in s_docFiles.Select(f => System.IO.Path.Combine(AppContext.BaseDirectory, f)))
            {
                if (File.Exists(docs))
                {
                    o.IncludeXmlComments(docs);
                }
            }

            o.OperationFilter<ApiKeyOperationFilter>();
            o.OperationFilter<ExampleBodyOperationFilter>();
            o.OperationFilter<ExampleAnswerOperationFilter>();
            o.SchemaFilter<LeftOutWhenDefaultSchemaFilter>();
            o.OperationFilter<IfMatchOperationFilter>();
            o.SupportNonNullableReferenceTypes();
            o.NonNullableReferenceTypesAsRequired();
        });
        return services;
    }

    /// <summary>A STIX 2.1 bundle: its own fields typed, each object open (STIX objects carry many properties).</summary>
    private static OpenApiSchema CamelCaseEnumSchema<T>()
        where T : struct, Enum => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. Enum.GetNames<T>().Select(name => (JsonNode)JsonValue.Create(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name)))],
    };

    private static OpenApiSchema StixBundleSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A STIX 2.1 bundle (docs/intel-sharing.md).",
        Required = new HashSet<string>(StringComparer.Ordinal) { "type", "id", "objects" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("bundle")], Description = "Always `bundle`." },
            ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^bundle--[0-9a-fA-F-]{36}$", Description = "`bundle--` and a UUID." },
            ["objects"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "STIX objects: identities, indicators, marking and extension definitions, ...",
                Items = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string>(StringComparer.Ordinal) { "type", "id" },
                    Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                    {
                        ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The object's STIX type, e.g. `indicator`." },
                        ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "`<type>--<UUID>`." },
                    },
                    // Explicitly open: linters read a schema without additionalProperties as closed.
                    AdditionalProperties = new OpenApiSchema(),
                },
            },
        },
        AdditionalProperties = new OpenApiSchema(),
    };

    /// <summary>A description for every tag, shown as the heading text of its group in Swagger UI.</summary>
    private sealed class TagDescriptionsDocumentFilter : IDocumentFilter
    {
        private static readonly Dictionary<string, string> s_descriptions = new(StringComparer.Ordinal)
        {
            ["Accounts"] = "An account's view (score, decision, reasons, labels, links, usage) and its graph; release from hold; erasure.",
            ["Audit"] = "Every change an operator made and every refused call, newest first (operate).",
            ["Benchmark"] = "Baselines for ./bench.sh: same body and key check as a decision, constant answer. Only with Reputation:Api:BenchmarkEndpoints.",
            ["Campaigns"] = "Groups of accounts that share entities, with the evidence that joined them.",
            ["Decisions"] = "Signup, request (rate limiter) and billing decisions: the hot path, answered from memory.",
            ["Events"] = "Signup, usage and payment events in batches of 1 to 1,000; idempotent by event id.",
            ["IP ranges"] = "An IP range's view: accounts, signups, risk, labels.",
            ["Keys"] = "Voiding what a stolen or misbehaving API key sent (operate).",
            ["Labels"] = "Operator verdicts (fraud, trusted, cleared) on accounts, entities and campaigns; they propagate.",
            ["Lists"] = "Allow and deny lists that override scores for accounts, instruments, IP ranges and templates.",
            ["Payment instruments"] = "A payment instrument's view: accounts, outcomes, risk, labels.",
            ["Policies"] = "Scoring policies: versions, history, shadow (candidate) policies and their reports, backtests.",
            ["Prompt templates"] = "A prompt-template bucket's view: sharers, risk, labels.",
            ["Review"] = "Held accounts and campaigns waiting for an operator, highest risk and newest first (operate).",
            ["Watermarks"] = "Which campaign or accounts a watermark key was issued to, and when (operate).",
            ["Webhooks"] = "Signed notifications of holds, releases, campaigns, labels and promotions, with their delivery log (operate).",
            ["Threat intel"] = "STIX 2.1 bundles of indicators: import from partners (operate), export of this deployment's own (intel or read).",
        };

        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
        {
            foreach (var tag in swaggerDoc.Tags ?? new HashSet<OpenApiTag>())
            {
                tag.Description ??= s_descriptions.GetValueOrDefault(tag.Name ?? "");
            }
        }
    }

    /// <summary>Marks the operations that need a key (and says which scope), so Swagger UI sends it.</summary>
    private sealed class ApiKeyOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var scope = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<RequiredScopeMetadata>().FirstOrDefault();
            if (scope is null)
            {
                return;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [],
            });
            var scopes = string.Join(" or ", scope.Accepted.Select(s => $"`{s}`"));
            operation.Description = $"{operation.Description}\n\nNeeds an API key with the {scopes} scope.".TrimStart();
        }
    }

    /// <summary>A working example body for each operation that takes one.</summary>
    private sealed class ExampleBodyOperationFilter : IOperationFilter
    {
        private static readonly Dictionary<string, string> s_examples = new(StringComparer.Ordinal)
        {
            ["DecideSignup"] = """
                {"accountId":"acct-1001","ip":"198.51.100.23","email":"new.user@example.com","paymentFingerprint":"pf_4f9a1c","deviceId":"dev-77","country":"DE"}
                """,
            // The worked example's request (docs/gateway-contract.md); its answer is ExampleAnswerOperationFilter's.
            ["DecideRequest"] = """
                {"accountId":"acct-88412","ip":"198.51.100.23","model":"frontier-large"}
                """,
            ["DecideBilling"] = """
                {"accountId":"acct-1001","paymentFingerprint":"pf_4f9a1c","amountMinor":2000,"currency":"USD"}
                """,
            ["PutListEntry"] = """
                {"reason":"proxy network used by a distillation campaign","expiresAt":"2027-06-30T00:00:00Z"}
                """,
            ["IngestEvents"] = """
                {"events":[
                  {"id":"evt-1","type":"signup","accountId":"acct-1001","occurredAt":"2026-11-30T10:00:00Z","ip":"198.51.100.23","paymentFingerprint":"pf_4f9a1c"},
                  {"id":"evt-2","type":"usage","accountId":"acct-1001","occurredAt":"2026-11-30T10:00:01Z","ip":"198.51.100.23","requests":12,"inputTokens":4000,"outputTokens":9000,"promptFingerprints":["9f3c2a7b1d4e6f80"],"reasoningElicitation":0.4,"model":"frontier-large"},
                  {"id":"evt-3","type":"payment","accountId":"acct-1001","occurredAt":"2026-11-30T10:05:00Z","paymentFingerprint":"pf_4f9a1c","outcome":"declined","amountMinor":2000,"currency":"USD"}
                ]}
                """,
            // The built-in default policy: a valid whole body to start an edit from.
            ["SetLabel"] = """
                {"entityType":"account","entityId":"acct-1001","label":"fraud","reason":"confirmed member of a distillation campaign (case 4411)"}
                """,
            ["ReleaseAccount"] = """
                {"reason":"reviewed: a customer's own load test, ticket 4471"}
                """,
            ["PutWebhook"] = """
                {"url":"https://siem.example.com/hooks/reputation","secret":"a-long-random-secret-kept-by-the-receiver","events":["account.held","account.released","campaign.formed","campaign.grew","label.applied","policy.promoted"]}
                """,
            ["VoidKeyEvents"] = """
                {"from":"2026-11-30T09:00:00Z","reason":"key leaked in a public repository (case 4412)"}
                """,
            ["ImportStix"] = """
                {"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
                  {"type":"identity","spec_version":"2.1","id":"identity--b3f4c6a2-7d1e-4a0b-9c2d-1e5f7a9b3c4d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Lab B","identity_class":"organization"},
                  {"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created_by_ref":"identity--b3f4c6a2-7d1e-4a0b-9c2d-1e5f7a9b3c4d","created":"2026-03-01T12:00:00.000Z","modified":"2026-03-01T12:00:00.000Z","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value ISSUBSET '198.51.0.0/16']","pattern_type":"stix","valid_from":"2026-03-01T12:00:00.000Z","valid_until":"2027-03-01T00:00:00.000Z","confidence":85,"object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]},
                  {"type":"indicator","spec_version":"2.1","id":"indicator--0b9c6a43-2a8f-4d8e-9f45-5f1b2d7c8e90","created_by_ref":"identity--b3f4c6a2-7d1e-4a0b-9c2d-1e5f7a9b3c4d","created":"2026-03-01T12:00:00.000Z","modified":"2026-03-01T12:00:00.000Z","pattern":"[x-reputation-payment-instrument:fingerprint = 'pf_4f9a1c'] OR [x-reputation-prompt-template:fingerprint = '9f3c2a7b1d4e6f80']","pattern_type":"stix","valid_from":"2026-03-01T12:00:00.000Z","confidence":70}
                ]}
                """,
            ["PutPolicy"] = PolicyJson.Serialize(ScoringPolicy.Default),
            ["PutShadowPolicy"] = PolicyJson.Serialize(ScoringPolicy.Default with { Request = ScoringPolicy.Default.Request with { Throttle = 0.45 } }),
            ["BacktestPolicy"] = PolicyJson.Serialize(ScoringPolicy.Default with { Request = ScoringPolicy.Default.Request with { Throttle = 0.45 } }),
        };

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.OperationId is { } id && s_examples.TryGetValue(id, out var example)
                && operation.RequestBody?.Content is { } content && content.TryGetValue("application/json", out var media))
            {
                if (media is OpenApiMediaType concrete)
                {
                    concrete.Example = JsonNode.Parse(example);
                }
            }
        }
    }

    /// <summary>
    /// A worked example of an answer where the answer is a contract of its own: the request
    /// decision of a degraded campaign member, as docs/gateway-contract.md ("Worked example") shows it.
    /// </summary>
    private sealed class ExampleAnswerOperationFilter : IOperationFilter
    {
        private const string DegradedCampaignMember = """
            {
              "accountId": "acct-88412",
              "decision": "degrade",
              "score": 0.8612,
              "reasons": [
                {"code": "PAYMENT_INSTRUMENT_SHARED", "contribution": 0.3904, "detail": "payment instrument shared by 9 accounts"},
                {"code": "REASONING_ELICITATION", "contribution": 0.2011, "detail": "92% of last-hour requests elicit reasoning"},
                {"code": "LINKED_RISK", "contribution": 0.1502, "detail": "a linked payment instrument carries risk 0.81"},
                {"code": "CAMPAIGN", "contribution": 0, "detail": "linked to campaign cmp-3f0c9a1e77b24d10 through a payment instrument"}
              ],
              "requestsPerMinute": 60,
              "cacheTtlSeconds": 30,
              "policyVersion": 12,
              "holdUntil": "2026-12-07T16:05:00+00:00",
              "response": {"mode": "fallbackModel", "model": "frontier-small"},
              "watermarkKeyId": "wm-6b1e0f4c2a9d7e35"
            }
            """;

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.OperationId == "DecideRequest"
                && operation.Responses?.TryGetValue("200", out var ok) == true
                && ok.Content?.TryGetValue("application/json", out var media) == true
                && media is OpenApiMediaType concrete)
            {
                concrete.Example = JsonNode.Parse(DegradedCampaignMember);
            }
        }
    }

    /// <summary>
    /// A property the JSON leaves out when it is null or false (<c>stale</c>, <c>holdUntil</c>, ...)
    /// is not required, whatever its .NET type: a client that checks answers against the document
    /// must accept an answer without it.
    /// </summary>
    private sealed class LeftOutWhenDefaultSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema { Required.Count: > 0 } concrete || context.Type is null)
            {
                return;
            }

            foreach (var property in context.Type.GetProperties())
            {
                if (property.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.WhenWritingDefault or JsonIgnoreCondition.WhenWritingNull })
                {
                    concrete.Required.Remove(JsonNamingPolicy.CamelCase.ConvertName(property.Name));
                }
            }
        }
    }

    /// <summary>
    /// The endpoint reads If-Match from the request itself, so the API explorer cannot see it;
    /// without it in the document Swagger UI offers no field for it and every PUT is a 428.
    /// </summary>
    private sealed class IfMatchOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.OperationId != "PutPolicy")
            {
                return;
            }

            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Required = true,
                Description = "The ETag of the version you edited, quotes included, as GET returned it (for example \"1\"); " +
                    "\"0\" to create a new named policy. 412 if the policy changed since.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }
}
