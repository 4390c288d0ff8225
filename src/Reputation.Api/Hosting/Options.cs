using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace Reputation.Api.Hosting;

public enum StorageProvider
{
    /// <summary>Azure Table storage (Azurite locally): the real store.</summary>
    AzureTable,
    /// <summary>In-memory: for tests and quick experiments only; nothing survives a restart.</summary>
    Memory,
}

/// <summary>How grain-state writes reach Azure Table storage (docs/decisions/0019-batched-table-storage.md).</summary>
public enum StorageWrites
{
    /// <summary>Concurrent writes of many grains share entity-group transactions of up to 100 rows.</summary>
    Batched,
    /// <summary>Each grain's write is a storage request of its own (Orleans' Azure Table provider).</summary>
    PerGrain,
}

public enum ClusteringMode
{
    /// <summary>One silo on this machine, fixed ports; a second silo cannot join.</summary>
    Localhost,
    /// <summary>Membership in Azure Table storage (the grain storage account): several silos form one cluster.</summary>
    AzureTable,
}

public sealed class StorageOptions
{
    public const string SectionName = "Reputation:Storage";

    public StorageProvider Provider { get; init; } = StorageProvider.AzureTable;

    /// <summary>Azure Storage connection string; <c>UseDevelopmentStorage=true</c> is Azurite on 127.0.0.1.</summary>
    [Required]
    public string ConnectionString { get; init; } = "UseDevelopmentStorage=true";

    /// <summary>Table that holds grain state.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string TableName { get; init; } = "ReputationGrainState";

    /// <summary>Batched (one transaction carries the writes of many grains) or PerGrain; AzureTable only.</summary>
    public StorageWrites Writes { get; init; } = StorageWrites.Batched;

    /// <summary>
    /// Batched writes: the partitions grain rows are spread over. Fixed for a table's life (the table
    /// records it; a silo configured with another count refuses to start).
    /// </summary>
    [Range(1, 1000)]
    public int Partitions { get; init; } = 32;

    /// <summary>Batched writes: storage transactions in flight at once (at most one per partition).</summary>
    [Range(1, 256)]
    public int ConcurrentBatches { get; init; } = 8;

    /// <summary>How long the start-up check waits for storage before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

public sealed class SiloHostOptions : IValidatableObject
{
    public const string SectionName = "Reputation:Silo";

    /// <summary>The section bound onto Orleans' <c>ClusterMembershipOptions</c> (probe timeouts, votes).</summary>
    public const string MembershipSectionName = SectionName + ":Membership";

    public ClusteringMode Clustering { get; init; } = ClusteringMode.Localhost;

    [Required]
    public string ClusterId { get; init; } = "reputation";

    [Required]
    public string ServiceId { get; init; } = "reputation";

    /// <summary>Fixed, so a restarted silo replaces its own membership entry.</summary>
    [Range(1, 65535, ErrorMessage = SectionName + ":SiloPort must be between 1 and 65535.")]
    public int SiloPort { get; init; } = 11111;

    [Range(1, 65535, ErrorMessage = SectionName + ":GatewayPort must be between 1 and 65535.")]
    public int GatewayPort { get; init; } = 30000;

    /// <summary>The IP address other silos reach this one at (AzureTable clustering); it also listens there.</summary>
    [Required]
    public string AdvertisedAddress { get; init; } = "127.0.0.1";

    /// <summary>
    /// Orleans Kubernetes hosting (<c>UseKubernetesHosting</c>): in a pod, reads POD_NAME, POD_NAMESPACE,
    /// POD_IP, ORLEANS_SERVICE_ID and ORLEANS_CLUSTER_ID and declares silos whose pods are gone dead.
    /// Membership still needs AzureTable clustering. Only inside Kubernetes (the chart's <c>kubernetes</c> mode).
    /// </summary>
    public bool KubernetesHosting { get; init; }

    /// <summary>Table holding the cluster membership (AzureTable clustering).</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string MembershipTableName { get; init; } = "ReputationMembership";

    /// <summary>How long a SIGTERM waits for in-flight requests and the silo's orderly exit before the process ends anyway.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SiloPort == GatewayPort)
        {
            yield return new ValidationResult(
                $"{SectionName}:SiloPort and {SectionName}:GatewayPort must differ (both are {SiloPort}).",
                [nameof(SiloPort), nameof(GatewayPort)]);
        }

        if (KubernetesHosting && Clustering != ClusteringMode.AzureTable)
        {
            yield return new ValidationResult(
                $"{SectionName}:KubernetesHosting needs {SectionName}:Clustering=AzureTable: Kubernetes hosting keeps membership and pods in step, it does not hold membership.",
                [nameof(KubernetesHosting), nameof(Clustering)]);
        }

        if (!IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new ValidationResult(
                $"{SectionName}:AdvertisedAddress must be an IP address, not '{AdvertisedAddress}'.",
                [nameof(AdvertisedAddress)]);
        }
    }
}

/// <summary>
/// Mutual TLS on the silo-to-silo and gateway ports (docs/decisions/0020-silo-tls.md): each silo
/// presents its certificate and accepts a peer only if the peer's certificate chains to
/// <see cref="CaPath"/>, or, without one, is the very certificate this silo holds.
/// </summary>
public sealed class SiloTlsOptions : IValidatableObject
{
    public const string SectionName = SiloHostOptions.SectionName + ":Tls";

    /// <summary>
    /// Off by default: one local silo binds its ports to 127.0.0.1 only. On in the chart and with
    /// <c>./run.sh --silos N</c>.
    /// </summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// The silo's certificate: PEM (Kubernetes' <c>tls.crt</c>; the key may follow in the same file)
    /// or a PKCS#12 file (<c>.pfx</c>) holding the certificate and its key.
    /// </summary>
    public string? CertificatePath { get; init; }

    /// <summary>The PEM private key (<c>tls.key</c>) when it is not in <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; init; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key; unset for unencrypted ones.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// PEM certificate(s) of the cluster's own CA (<c>ca.crt</c>) that every peer's certificate must
    /// chain to. Unset: a peer must present this silo's own certificate (one pair shared by all
    /// silos, as <c>./run.sh --silos N</c> makes).
    /// </summary>
    public string? CaPath { get; init; }

    /// <summary>How long a TLS handshake on a silo or gateway connection may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = SectionName + ":HandshakeTimeout must be between 1 s and 1 min.")]
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (SiloTlsCredentials.TryLoad(this, TimeProvider.System, out var credentials, out var problem))
        {
            credentials.Dispose();
        }
        else
        {
            yield return new ValidationResult(problem, [nameof(CertificatePath)]);
        }
    }
}

public sealed class ApiOptions
{
    public const string SectionName = "Reputation:Api";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How many reasons a decision returns (entity views return all).</summary>
    [Range(1, 20)]
    public int TopReasons { get; init; } = 3;

    /// <summary>
    /// Maps the benchmark endpoints under <c>/v1/bench</c> (baselines for the decisions and a memory
    /// report that forces a full collection). Off by default; <c>./bench.sh</c> turns it on.
    /// </summary>
    public bool BenchmarkEndpoints { get; init; }

    /// <summary>
    /// Reputation time follows the latest event time ingested instead of the wall clock, so a
    /// simulation that replays hours in minutes sees its own last hour in one-hour windows
    /// (docs/detection.md). Development only: the service refuses to start with it elsewhere.
    /// </summary>
    public bool FollowEventTime { get; init; }
}

public sealed class PrivacyOptions
{
    public const string SectionName = "Reputation:Privacy";

    /// <summary>Key for the keyed hash of email addresses (base64, at least 16 bytes). Required outside Development.</summary>
    [Required(ErrorMessage = "Reputation:Privacy:EmailHashKey must be set (base64, at least 16 bytes).")]
    public string? EmailHashKey { get; init; }

    /// <summary>
    /// During a rotation of <see cref="EmailHashKey"/>, the key it replaces (base64, at least 16 bytes,
    /// not the current key): signups retried across the rotation are recognised and email domains
    /// keep hashing under it, until <see cref="PreviousEmailHashKeyUntil"/> or until it is removed
    /// (docs/operations.md, "Rotating the email hash key").
    /// </summary>
    public string? PreviousEmailHashKey { get; init; }

    /// <summary>When the rotation window ends (optional; only with <see cref="PreviousEmailHashKey"/>).</summary>
    public DateTimeOffset? PreviousEmailHashKeyUntil { get; init; }
}

/// <summary>The keys are base64 of at least 16 bytes; a previous key differs from the current one; a window's end needs a previous key.</summary>
public sealed class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var current = Key(options.EmailHashKey);
        if (current is null)
        {
            failures.Add("Reputation:Privacy:EmailHashKey must be base64 of at least 16 bytes.");
        }

        if (options.PreviousEmailHashKey is not null)
        {
            var previous = Key(options.PreviousEmailHashKey);
            if (previous is null)
            {
                failures.Add("Reputation:Privacy:PreviousEmailHashKey must be base64 of at least 16 bytes.");
            }
            else if (current is not null && previous.AsSpan().SequenceEqual(current))
            {
                failures.Add("Reputation:Privacy:PreviousEmailHashKey must differ from EmailHashKey: set the new key as EmailHashKey and the old one as PreviousEmailHashKey.");
            }
        }
        else if (options.PreviousEmailHashKeyUntil is not null)
        {
            failures.Add("Reputation:Privacy:PreviousEmailHashKeyUntil needs Reputation:Privacy:PreviousEmailHashKey.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static byte[]? Key(string? base64)
    {
        var buffer = new byte[((base64?.Length ?? 0) * 3 / 4) + 3];
        return base64 is not null && Convert.TryFromBase64String(base64, buffer, out var written) && written >= 16 ? buffer[..written] : null;
    }
}

public sealed class AuditOptions
{
    public const string SectionName = "Reputation:Audit";

    /// <summary>
    /// Days an audit record is kept (docs/security.md, "Retention"); unset keeps every record. Removed
    /// a page of 256 records at a time once the page's newest record is older, checked as records are added.
    /// </summary>
    [Range(1, 36_500, ErrorMessage = "Reputation:Audit:RetentionDays must be 1 to 36500 days, or unset to keep every record.")]
    public int? RetentionDays { get; init; }

    public Grains.Audit.AuditRetention Retention => new(RetentionDays is { } days ? TimeSpan.FromDays(days) : null);
}

public sealed class DetectionOptions
{
    public const string SectionName = "Reputation:Detection";

    /// <summary>
    /// Since when this deployment has sent every account's usage, the past included (docs/detection.md,
    /// "Dormancy only where the service watched"). Unset (the default), the service learns it: the
    /// earliest usage it has been sent. Set it when the past was sent for some accounts only, or to
    /// say when a deployment without a backfill started.
    /// </summary>
    public DateTimeOffset? UsageSince { get; init; }

    public Grains.UsageSinceSetting UsageSinceSetting => new(UsageSince);
}

public sealed class DecisionCacheOptions
{
    public const string SectionName = "Reputation:DecisionCache";

    /// <summary>
    /// How old a request decision the silo answers again without asking the account grain may be
    /// (docs/decisions/0023-decision-cache.md); 0 turns the cache off. It is dropped sooner whenever
    /// anything it was decided from changes.
    /// </summary>
    [Range(0, 30, ErrorMessage = "Reputation:DecisionCache:Seconds must be 0 (off) to 30 seconds.")]
    public double Seconds { get; init; } = 5;

    /// <summary>Accounts whose last decision each silo holds at most.</summary>
    [Range(1_000, 10_000_000, ErrorMessage = "Reputation:DecisionCache:Capacity must be 1000 to 10000000 accounts.")]
    public int Capacity { get; init; } = 100_000;

    public Grains.Accounts.DecisionCacheSettings Settings => new(TimeSpan.FromSeconds(Seconds), Capacity);

    /// <summary>
    /// How old the last request decision the silo answered for an account may be to be answered again,
    /// marked stale, when the account grain cannot be reached or is too slow
    /// (docs/decisions/0038-stale-answers-on-failover.md); 0 turns stale answers off. The silo holds
    /// such answers for up to <see cref="Capacity"/> accounts.
    /// </summary>
    [Range(0, 3600, ErrorMessage = "Reputation:DecisionCache:StaleSeconds must be 0 (off) to 3600 seconds.")]
    public double StaleSeconds { get; init; } = 300;

    /// <summary>
    /// How long a request decision waits for the account grain, when the silo holds a last answer for
    /// the account, before giving that answer stale: under the client's decision timeout (250 ms by default).
    /// </summary>
    [Range(10, 10_000, ErrorMessage = "Reputation:DecisionCache:StaleAfterMilliseconds must be 10 to 10000 milliseconds.")]
    public int StaleAfterMilliseconds { get; init; } = 200;

    public Features.Decisions.LastDecisionSettings LastDecisions =>
        new(TimeSpan.FromSeconds(StaleSeconds), Capacity, TimeSpan.FromMilliseconds(StaleAfterMilliseconds));
}

public sealed class BacktestOptions
{
    public const string SectionName = "Reputation:Backtest";

    /// <summary>
    /// Decisions of each kind (signup, request, billing) whose facts each silo keeps for policy
    /// backtests (docs/decisions/0033-backtest-sample.md); 0 keeps none.
    /// </summary>
    [Range(0, 100_000, ErrorMessage = "Reputation:Backtest:SamplePerKind must be 0 (none) to 100000 decisions.")]
    public int SamplePerKind { get; init; } = Grains.Backtests.DecisionSampleSettings.Default.Capacity;

    public Grains.Backtests.DecisionSampleSettings Settings => new(SamplePerKind);
}

public sealed class WebhookOptions
{
    public const string SectionName = "Reputation:Webhooks";

    /// <summary>The wait after a delivery's first failed attempt; doubled after each further one (docs/decisions/0024-webhook-outbox.md).</summary>
    [Range(0.01, 3600, ErrorMessage = "Reputation:Webhooks:RetryBaseSeconds must be 0.01 to 3600.")]
    public double RetryBaseSeconds { get; init; } = 10;

    /// <summary>The longest wait between two attempts.</summary>
    [Range(0.01, 86_400, ErrorMessage = "Reputation:Webhooks:RetryCapSeconds must be 0.01 to 86400.")]
    public double RetryCapSeconds { get; init; } = 3600;

    /// <summary>A delivery not made this long after its event is marked failed.</summary>
    [Range(0.01, 10_080, ErrorMessage = "Reputation:Webhooks:GiveUpAfterMinutes must be 0.01 to 10080 (a week).")]
    public double GiveUpAfterMinutes { get; init; } = 24 * 60;

    /// <summary>How often a webhook with deliveries pending looks at its outbox.</summary>
    [Range(10, 60_000, ErrorMessage = "Reputation:Webhooks:PollMilliseconds must be 10 to 60000.")]
    public int PollMilliseconds { get; init; } = 1000;

    /// <summary>How long one attempt may take.</summary>
    [Range(1, 60, ErrorMessage = "Reputation:Webhooks:TimeoutSeconds must be 1 to 60.")]
    public int TimeoutSeconds { get; init; } = 10;

    /// <summary>Loopback and link-local targets are allowed in Development only (a receiver on this machine).</summary>
    public Grains.Webhooks.WebhookSettings Settings(bool development) => new(
        TimeSpan.FromSeconds(RetryBaseSeconds), TimeSpan.FromSeconds(RetryCapSeconds), TimeSpan.FromMinutes(GiveUpAfterMinutes),
        TimeSpan.FromMilliseconds(PollMilliseconds), TimeSpan.FromSeconds(TimeoutSeconds), development);
}

public sealed class MetricsOptions
{
    public const string SectionName = "Reputation:Metrics";

    /// <summary>
    /// Whether <c>GET /metrics</c> needs an API key with the <c>metrics</c> (or <c>read</c>) scope in
    /// Development too.
    /// Outside Development it always does: the scrape holds counts only, never an id, address or
    /// fingerprint, but it shows the traffic's volume and the decisions' mix to anyone who can reach
    /// the port (docs/decisions/0014-observability.md).
    /// </summary>
    public bool RequireKey { get; init; }

    /// <summary>Whether this host's <c>/metrics</c> needs a key: always outside Development.</summary>
    public bool KeyRequired(IHostEnvironment environment) => RequireKey || !environment.IsDevelopment();
}

public sealed class SwaggerOptions
{
    public const string SectionName = "Reputation:Swagger";

    /// <summary>
    /// Whether Swagger UI and the OpenAPI document are served. Unset: on in Development (what
    /// <c>./run.sh</c> starts), off elsewhere. Outside Development both need a key with the
    /// <c>read</c> scope when on.
    /// </summary>
    public bool? Enabled { get; init; }

    public bool Served(IHostEnvironment environment) => Enabled ?? environment.IsDevelopment();
}

/// <summary>This deployment as a producer of threat intel (docs/intel-sharing.md).</summary>
public sealed class IntelOptions
{
    public const string SectionName = "Reputation:Intel";

    /// <summary>The name of the STIX identity the export is produced by.</summary>
    [Required, StringLength(100, MinimumLength = 1)]
    public string ProducerName { get; init; } = "Reputation deployment";
}

/// <summary>How accepted ingest batches are made durable (docs/decisions/0039-write-ahead-log-ingest.md).</summary>
public enum IngestLogMode
{
    /// <summary>Every touched grain's state is stored before the answer (docs/decisions/0012-durability.md).</summary>
    None,
    /// <summary>The batch is appended to the silo's write-ahead log (an append blob under a lease) before the answer; grain state is written behind.</summary>
    AppendBlob,
}

public sealed class IngestOptions
{
    public const string SectionName = "Reputation:Ingest";

    public IngestLogMode Log { get; init; } = IngestLogMode.None;

    /// <summary>The blob container holding the log's segments (a valid container name).</summary>
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    public string LogContainer { get; init; } = "reputation-ingest-log";

    /// <summary>How often the current segment is sealed, the grains written behind are stored and sealed segments retired.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:05:00")]
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A segment is sealed early once it holds this many megabytes.</summary>
    [Range(1, 4096)]
    public int SegmentMaxMegabytes { get; init; } = 256;
}

/// <summary>The log needs Azure storage (its blobs) and, until replay by survivors is built, a single silo.</summary>
public sealed class IngestOptionsValidator(IOptions<StorageOptions> storage, IOptions<SiloHostOptions> silo) : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Log == IngestLogMode.None)
        {
            return ValidateOptionsResult.Success;
        }

        if (storage.Value.Provider != StorageProvider.AzureTable)
        {
            return ValidateOptionsResult.Fail(
                $"{IngestOptions.SectionName}:Log={options.Log} needs {StorageOptions.SectionName}:Provider=AzureTable (the log is an append blob in the same storage account).");
        }

        if (silo.Value.Clustering != ClusteringMode.Localhost)
        {
            return ValidateOptionsResult.Fail(
                $"{IngestOptions.SectionName}:Log={options.Log} works with one silo only ({SiloHostOptions.SectionName}:Clustering=Localhost): " +
                "replaying a dead silo's log on a survivor is not built (docs/decisions/0039-write-ahead-log-ingest.md).");
        }

        return ValidateOptionsResult.Success;
    }
}
