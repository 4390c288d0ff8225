using System.Net;
using Azure.Data.Tables;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Reputation.Api.Errors;
using Reputation.Api.Features;
using Reputation.Api.Features.Audit;
using Reputation.Api.Features.Bench;
using Reputation.Api.Features.Campaigns;
using Reputation.Api.Features.Countermeasures;
using Reputation.Api.Features.Decisions;
using Reputation.Api.Features.Entities;
using Reputation.Api.Features.Erasure;
using Reputation.Api.Features.Events;
using Reputation.Api.Features.Intel;
using Reputation.Api.Features.Keys;
using Reputation.Api.Features.Labels;
using Reputation.Api.Features.Lists;
using Reputation.Api.Features.Policies;
using Reputation.Api.Features.Review;
using Reputation.Api.Features.Webhooks;
using Reputation.Api.Hosting;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Core.Privacy;
using Reputation.Grains;
using Reputation.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<SiloHostOptions>().BindConfiguration(SiloHostOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<IntelOptions>().BindConfiguration(IntelOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<SwaggerOptions>().BindConfiguration(SwaggerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<PrivacyOptions>().BindConfiguration(PrivacyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<PrivacyOptions>, PrivacyOptionsValidator>();
builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<DetectionOptions>().BindConfiguration(DetectionOptions.SectionName);
builder.Services.AddOptions<DecisionCacheOptions>().BindConfiguration(DecisionCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<BacktestOptions>().BindConfiguration(BacktestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<OrleansDashboardOptions>().BindConfiguration(OrleansDashboardOptions.SectionName);
builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
var silo = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
var api = builder.Configuration.GetSection(ApiOptions.SectionName).Get<ApiOptions>() ?? new ApiOptions();
var metrics = builder.Configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>() ?? new MetricsOptions();
var swagger = builder.Configuration.GetSection(SwaggerOptions.SectionName).Get<SwaggerOptions>() ?? new SwaggerOptions();
var ingest = builder.Configuration.GetSection(IngestOptions.SectionName).Get<IngestOptions>() ?? new IngestOptions();
var dashboard = builder.Configuration.GetSection(OrleansDashboardOptions.SectionName).Get<OrleansDashboardOptions>() ?? new OrleansDashboardOptions();

if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = api.MaxRequestBodyBytes);

// On SIGTERM: readiness fails at once (StoppingHealthCheck), Kestrel stops taking connections and
// lets in-flight requests finish, then the silo deactivates its grains and leaves the cluster.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = silo.ShutdownTimeout);

builder.UseOrleans(orleans =>
{
    orleans.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = silo.ClusterId;
        o.ServiceId = silo.ServiceId;
    });
    switch (silo.Clustering)
    {
        case ClusteringMode.AzureTable:
            orleans.UseAzureStorageClustering(o =>
            {
                o.TableServiceClient = new TableServiceClient(storage.ConnectionString);
                o.TableName = silo.MembershipTableName;
            });
            // An address that does not parse is reported by the options validation at start.
            orleans.ConfigureEndpoints(
                IPAddress.TryParse(silo.AdvertisedAddress, out var advertised) ? advertised : IPAddress.Loopback,
                silo.SiloPort,
                silo.GatewayPort,
                listenOnAnyHostAddress: false);
            break;
        default:
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
            break;
    }

    // Without AzureTable membership the options validation refuses to start, naming the setting.
    if (silo.KubernetesHosting && silo.Clustering == ClusteringMode.AzureTable)
    {
        // After the clustering and endpoints above, so that in a pod its cluster ids and endpoints
        // (from the pod's environment) win.
        orleans.UseKubernetesHosting();
    }

    // Mutual TLS on the silo and gateway ports when Reputation:Silo:Tls:Enabled (docs/decisions/0020-silo-tls.md).
    orleans.UseReputationTls();

    // Probe timeouts and votes: how fast a dead silo is declared dead (docs/decisions/0011-multi-silo.md).
    orleans.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(SiloHostOptions.MembershipSectionName));
    switch (storage.Provider)
    {
        case StorageProvider.Memory:
            orleans.AddMemoryGrainStorage(StorageNames.Reputation);
            break;
        case StorageProvider.AzureTable when storage.Writes == StorageWrites.Batched:
            orleans.Services.AddBatchedTableGrainStorage(StorageNames.Reputation, o =>
            {
                o.TableServiceClient = new TableServiceClient(storage.ConnectionString);
                o.TableName = storage.TableName;
                o.Partitions = storage.Partitions;
                o.MaxConcurrentBatches = storage.ConcurrentBatches;
            });
            break;
        default:
            orleans.AddAzureTableGrainStorage(StorageNames.Reputation, o =>
            {
                o.TableServiceClient = new TableServiceClient(storage.ConnectionString);
                o.TableName = storage.TableName;
                // An erased account's row goes, not just its data: the row key holds the account id.
                o.DeleteStateOnClear = true;
            });
            break;
    }

    orleans.Services.AddReputationGrains();
    // Off by default: its profiler times every grain call (docs/decisions/0028-orleans-dashboard.md).
    orleans.AddReputationDashboard(dashboard);
});

var followEventTime = builder.Configuration.GetValue<bool>($"{ApiOptions.SectionName}:{nameof(ApiOptions.FollowEventTime)}");
if (followEventTime && !builder.Environment.IsDevelopment())
{
    throw new InvalidOperationException($"{ApiOptions.SectionName}:{nameof(ApiOptions.FollowEventTime)} is for simulations and only allowed in Development.");
}

builder.Services.AddSingleton(storage is { Provider: StorageProvider.AzureTable, Writes: StorageWrites.Batched }
    ? IngestConcurrency.BatchedWrites
    : IngestConcurrency.PerGrainWrites);
builder.Services.AddSingleton(followEventTime ? ReputationClock.FollowingEvents(TimeProvider.System) : ReputationClock.Default);
builder.Services.AddSingleton(sp =>
{
    var privacy = sp.GetRequiredService<IOptions<PrivacyOptions>>().Value;
    return new EmailHasher(Convert.FromBase64String(privacy.EmailHashKey!),
        privacy.PreviousEmailHashKey is { } previous ? Convert.FromBase64String(previous) : null, privacy.PreviousEmailHashKeyUntil, TimeProvider.System);
});
builder.Services.AddSingleton(sp => new AccountPseudonym(Convert.FromBase64String(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value.EmailHashKey!)));
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuditOptions>>().Value.Retention);
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DetectionOptions>>().Value.UsageSinceSetting);
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DecisionCacheOptions>>().Value.Settings);
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DecisionCacheOptions>>().Value.LastDecisions);
builder.Services.AddSingleton<LastRequestDecisions>();
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<BacktestOptions>>().Value.Settings);
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Settings(builder.Environment.IsDevelopment()));
builder.Services.AddMediator((MediatorOptions o) =>
{
    o.ServiceLifetime = ServiceLifetime.Singleton;
    o.PipelineBehaviors = [typeof(ValidationBehaviour<,>), typeof(DecisionMetricsBehaviour<,>)];
});

builder.Services.AddScoped<AuditContext>();
builder.Services.AddSingleton<AuditRecorder>();
builder.Services.AddSingleton<KeyJournal>();
builder.Services.AddSingleton<IngestApplier>();
if (ingest.Log == IngestLogMode.AppendBlob)
{
    // Accepted batches go to the silo's write-ahead log first; grain state is written behind
    // (docs/decisions/0039-write-ahead-log-ingest.md). Registered after the silo, so it starts after it.
    builder.Services.AddSingleton<IngestLog>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestLog>());
}

// Source-generated JSON for the decision and event contracts; reflection for the rest.
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default));
builder.Services.AddProblemDetails();
// Body binding failures (missing field, wrong type, not JSON) become exceptions that
// ProblemExceptionHandler turns into a problem naming the field. By default minimal APIs throw
// only in Development; elsewhere they answer a bare 400 that names nothing.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddSingleton<ApiKeyStore>();
builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder().AddScopePolicies();
builder.Services.AddHealthChecks()
    .AddCheck<StoppingHealthCheck>("stopping", tags: ["ready"])
    .AddCheck<SiloHealthCheck>("silo", tags: ["ready"])
    .AddCheck<StorageHealthCheck>("storage", tags: ["ready"])
    .AddCheck<IngestLogHealthCheck>("ingest-log", tags: ["ready"]);
builder.Services.AddReputationSwagger();
builder.AddReputationTelemetry();
builder.AddReputationRateLimiting();

var app = builder.Build();

if (await StoragePreflight.CheckAsync(storage, silo.ServiceId, app.Lifetime.ApplicationStopping) is { } storageProblem)
{
    await Console.Error.WriteLineAsync($"reputation: cannot start: {storageProblem}");
    return 1;
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseReputationRateLimiting();
app.UseReputationSwagger(swagger);
app.UseReputationConsole();
app.UseAuditOfRejectedCalls();
app.UseValidRequestText();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
app.MapReputationMetrics(metrics);
app.MapDecisionsApi();
app.MapEventsApi();
app.MapEntitiesApi();
app.MapErasureApi();
app.MapCountermeasuresApi();
app.MapReviewApi();
app.MapWebhooksApi();
app.MapLabelsApi();
app.MapCampaignsApi();
app.MapPoliciesApi();
app.MapListsApi();
app.MapIntelApi();
app.MapAuditApi();
app.MapKeysApi();
app.MapReputationDashboard(dashboard);
if (api.BenchmarkEndpoints)
{
    app.MapBenchApi();
}

try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is OptionsValidationException || ex.InnerException is OptionsValidationException)
{
    var failures = (ex as AggregateException)?.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
        ?? ((OptionsValidationException)(ex as OptionsValidationException ?? ex.InnerException!)).Failures;
    await Console.Error.WriteLineAsync($"reputation: cannot start: {string.Join(" ", failures)}");
    return 1;
}

public partial class Program;
