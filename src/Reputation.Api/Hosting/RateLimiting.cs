using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Reputation.Api.Security;
using Reputation.Grains;

namespace Reputation.Api.Hosting;

/// <summary>A token bucket: a key may spend <see cref="TokenLimit"/> at once, and gets <see cref="TokensPerPeriod"/> back every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TokenBucketLimit
{
    /// <summary>Tokens the bucket holds when full: the burst a key may send at once. A call costs one token; a graph call its <c>limit</c>.</summary>
    public int TokenLimit { get; set; }

    /// <summary>Tokens added every <see cref="ReplenishmentPeriod"/>, up to <see cref="TokenLimit"/>.</summary>
    public int TokensPerPeriod { get; set; }

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Per-key limits (docs/operations.md#rate-limits): a token bucket per key per scope, and at most
/// <see cref="ConcurrentRequestsPerKey"/> calls of one key in flight. The figures are for the whole
/// cluster: each of N active silos counts its own calls against 1/N of them (<see cref="ClusterShare"/>).
/// The defaults are far above what <c>./bench.sh</c>, <c>./detect.sh</c> and the tests send; they stop
/// a runaway or stolen key, not ordinary traffic.
/// </summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string SectionName = "Reputation:RateLimits";

    public const int MaxTokens = 100_000_000;

    /// <summary>Whether the limits apply at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Calls of one key in flight at once across the cluster (each silo 1/N of it); one past it is a 429 at once (no queue).</summary>
    [Range(1, 1_000_000, ErrorMessage = SectionName + ":ConcurrentRequestsPerKey must be between 1 and 1000000.")]
    public int ConcurrentRequestsPerKey { get; set; } = 256;

    public TokenBucketLimit Decide { get; set; } = new() { TokenLimit = 100_000, TokensPerPeriod = 100_000 };

    /// <summary>Per call, whatever its batch holds (up to 1,000 events).</summary>
    public TokenBucketLimit Ingest { get; set; } = new() { TokenLimit = 20_000, TokensPerPeriod = 20_000 };

    /// <summary>A graph call costs its <c>limit</c> (the nodes it may visit, 200 unless asked), every other read one.</summary>
    public TokenBucketLimit Read { get; set; } = new() { TokenLimit = 20_000, TokensPerPeriod = 5_000 };

    public TokenBucketLimit Operate { get; set; } = new() { TokenLimit = 2_000, TokensPerPeriod = 200 };

    public TokenBucketLimit Intel { get; set; } = new() { TokenLimit = 100, TokensPerPeriod = 10 };

    public TokenBucketLimit Metrics { get; set; } = new() { TokenLimit = 20, TokensPerPeriod = 1 };

    /// <summary>The bucket of a scope (<see cref="Scopes.All"/>).</summary>
    public TokenBucketLimit For(string scope) => scope switch
    {
        Scopes.Decide => Decide,
        Scopes.Ingest => Ingest,
        Scopes.Read => Read,
        Scopes.Operate => Operate,
        Scopes.Intel => Intel,
        Scopes.Metrics => Metrics,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "not a scope"),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var scope in Scopes.All)
        {
            var bucket = For(scope);
            var name = $"{SectionName}:{char.ToUpperInvariant(scope[0])}{scope[1..]}";
            if (bucket.TokenLimit is < 1 or > MaxTokens)
            {
                yield return new ValidationResult($"{name}:TokenLimit must be between 1 and {MaxTokens}.", [name]);
            }

            if (bucket.TokensPerPeriod is < 1 or > MaxTokens)
            {
                yield return new ValidationResult($"{name}:TokensPerPeriod must be between 1 and {MaxTokens}.", [name]);
            }

            if (bucket.ReplenishmentPeriod < TimeSpan.FromMilliseconds(1) || bucket.ReplenishmentPeriod > TimeSpan.FromDays(1))
            {
                yield return new ValidationResult($"{name}:ReplenishmentPeriod must be between 00:00:00.001 and 1.00:00:00.", [name]);
            }
        }
    }
}

/// <summary>What a call costs in its scope's tokens when it is not one (the graph: the nodes it may visit).</summary>
internal sealed record RequestCostMetadata(Func<HttpContext, int> Cost);

internal static class RequestCostExtensions
{
    public static TBuilder CostsTokens<TBuilder>(this TBuilder builder, Func<HttpContext, int> cost) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestCostMetadata(cost));
}

/// <summary>
/// How a cluster-wide limit is shared among the active silos: each counts its own calls against an
/// equal share, rounded down so the cluster never admits more than the figure, and never below one
/// (a limit smaller than the number of silos admits up to one per silo).
/// </summary>
internal static class ClusterShare
{
    public static int Of(int clusterLimit, int activeSilos) => Math.Max(1, clusterLimit / Math.Max(1, activeSilos));
}

/// <summary>
/// The limits of every configured key (keys are configuration, so the decision path never adds a
/// partition or takes a lock for one): the key's name finds its concurrency limiter and a token
/// bucket per scope it holds, each sized to this silo's share of the configured figure
/// (<see cref="ShareAmong"/>). A call is counted against the first scope of its endpoint
/// (<see cref="RequiredScopeMetadata"/>) the key holds; calls without a key or to endpoints that
/// need no scope (health, an open /metrics) are not limited.
/// </summary>
internal sealed class ApiKeyRateLimiter : PartitionedRateLimiter<HttpContext>
{
    private static readonly RateLimitLease s_unlimited = new Unlimited();

    // Limiters replaced by a new share stay usable this long for calls that had already picked them up.
    private static readonly TimeSpan s_retirement = TimeSpan.FromSeconds(10);

    private readonly List<ApiKeyEntry> _entries;
    private readonly RateLimitOptions _options;
    private volatile Shared _shared;

    public ApiKeyRateLimiter(IOptions<ApiKeyOptions> keys, IOptions<RateLimitOptions> options)
    {
        _entries = keys.Value.Keys;
        _options = options.Value;
        _shared = Build(1);
    }

    /// <summary>The active silos the configured figures are shared among (1 until membership says otherwise).</summary>
    public int Silos => _shared.Silos;

    /// <summary>
    /// Sizes every key's limits to 1/<paramref name="activeSilos"/> of the configured figures; false
    /// when they already were. The new limiters start full (buckets) and empty (calls in flight): a
    /// change of membership grants each key one fresh burst of its share.
    /// </summary>
    public bool ShareAmong(int activeSilos)
    {
        activeSilos = Math.Max(1, activeSilos);
        var old = _shared;
        if (old.Silos == activeSilos)
        {
            return false;
        }

        _shared = Build(activeSilos);
        _ = RetireAsync(old);
        return true;
    }

    private Shared Build(int silos) =>
        new(silos, _entries.ToFrozenDictionary(k => k.Name, k => new KeyLimits(k, _options, silos), StringComparer.Ordinal));

    private static async Task RetireAsync(Shared old)
    {
        await Task.Delay(s_retirement);
        old.Dispose();
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var shared = _shared;
        if (resource.User.Identity is not { IsAuthenticated: true, Name: { } name }
            || !shared.Keys.TryGetValue(name, out var key)
            || resource.GetEndpoint()?.Metadata is not { } metadata
            || metadata.GetMetadata<RequiredScopeMetadata>() is not { } required
            || key.BucketFor(required) is not { } bucket)
        {
            return s_unlimited;
        }

        var inFlight = key.Concurrency.AttemptAcquire();
        if (!inFlight.IsAcquired)
        {
            return new Refusal(RateLimitKind.Concurrency, bucket.Scope, _options.ConcurrentRequestsPerKey, key.ConcurrencyLimit, shared.Silos, retryAfter: TimeSpan.FromSeconds(1));
        }

        // A cost past the bucket's size would never be granted; it empties a full bucket instead.
        var cost = metadata.GetMetadata<RequestCostMetadata>() is { } costed ? Math.Clamp(costed.Cost(resource), 1, bucket.Size) : 1;
        using var tokens = bucket.Limiter.AttemptAcquire(cost);
        if (tokens.IsAcquired)
        {
            return inFlight;
        }

        inFlight.Dispose();
        return new Refusal(RateLimitKind.Rate, bucket.Scope, _options.For(bucket.Scope).TokenLimit, bucket.Size, shared.Silos,
            tokens.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : bucket.Period);
    }

    // No queue: a call over a limit is refused at once, so waiting is trying again.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _shared.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed record Shared(int Silos, FrozenDictionary<string, KeyLimits> Keys) : IDisposable
    {
        public void Dispose()
        {
            foreach (var key in Keys.Values)
            {
                key.Dispose();
            }
        }
    }

    /// <param name="Size">This silo's share of the scope's token limit.</param>
    private sealed record Bucket(string Scope, TokenBucketRateLimiter Limiter, int Size, TimeSpan Period);

    private sealed class KeyLimits : IDisposable
    {
        private readonly FrozenDictionary<string, Bucket> _buckets;

        public KeyLimits(ApiKeyEntry key, RateLimitOptions options, int silos)
        {
            ConcurrencyLimit = ClusterShare.Of(options.ConcurrentRequestsPerKey, silos);
            Concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = ConcurrencyLimit, QueueLimit = 0 });
            _buckets = key.Scopes.Distinct(StringComparer.Ordinal).ToFrozenDictionary(s => s, s =>
            {
                var limit = options.For(s);
                var size = ClusterShare.Of(limit.TokenLimit, silos);
                return new Bucket(s, new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = size,
                    TokensPerPeriod = ClusterShare.Of(limit.TokensPerPeriod, silos),
                    ReplenishmentPeriod = limit.ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }), size, limit.ReplenishmentPeriod);
            }, StringComparer.Ordinal);
        }

        public ConcurrencyLimiter Concurrency { get; }

        public int ConcurrencyLimit { get; }

        public Bucket? BucketFor(RequiredScopeMetadata required)
        {
            if (_buckets.TryGetValue(required.Scope, out var bucket))
            {
                return bucket;
            }

            foreach (var scope in required.AlsoAccepted)
            {
                if (_buckets.TryGetValue(scope, out bucket))
                {
                    return bucket;
                }
            }

            return null;
        }

        public void Dispose()
        {
            Concurrency.Dispose();
            foreach (var bucket in _buckets.Values)
            {
                bucket.Limiter.Dispose();
            }
        }
    }

    private sealed class Unlimited : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

internal enum RateLimitKind
{
    /// <summary>The scope's token bucket is empty.</summary>
    Rate,
    /// <summary>The key has its most calls in flight.</summary>
    Concurrency,
}

/// <summary>A refused call: which limit (the configured figure and this silo's share of it), in which scope, and when to try again.</summary>
internal sealed class Refusal(RateLimitKind kind, string scope, int limit, int share, int silos, TimeSpan retryAfter) : RateLimitLease
{
    public RateLimitKind Kind { get; } = kind;

    public string Scope { get; } = scope;

    /// <summary>The configured figure, for the whole cluster.</summary>
    public int Limit { get; } = limit;

    /// <summary>This silo's share of <see cref="Limit"/>.</summary>
    public int Share { get; } = share;

    /// <summary>The active silos sharing <see cref="Limit"/>.</summary>
    public int Silos { get; } = silos;

    /// <summary>Whole seconds, at least one: what <c>Retry-After</c> says.</summary>
    public int RetryAfterSeconds { get; } = (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, int.MaxValue);

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? TimeSpan.FromSeconds(RetryAfterSeconds) : null;
        return metadata is not null;
    }
}

internal static partial class RateLimiting
{
    public const string RejectionsInstrument = "reputation.rate_limit.rejections";

    /// <summary>The options, the limiter and its 429 answer; <see cref="UseReputationRateLimiting"/> puts it after authorization.</summary>
    public static WebApplicationBuilder AddReputationRateLimiting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyRateLimiter>();
        builder.Services.AddSingleton<RejectionCounter>();
        builder.Services.AddHostedService(sp => new RateLimitSharing(
            sp.GetRequiredService<IClusterMembershipService>(), sp.GetRequiredService<ApiKeyRateLimiter>, sp.GetRequiredService<ILogger<RateLimitSharing>>()));
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<ApiKeyRateLimiter>((o, limiter) =>
        {
            o.GlobalLimiter = limiter;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) => RejectAsync(context.HttpContext, context.Lease as Refusal);
        });
        return builder;
    }

    /// <summary>After authentication and authorization: a call without a valid key is a 401 (a 403 without the scope) and costs nothing.</summary>
    public static IApplicationBuilder UseReputationRateLimiting(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        RateLimitsConfigured(app.Logger, options.Enabled ? "on" : "off", options.ConcurrentRequestsPerKey);
        return options.Enabled ? app.UseRateLimiter() : app;
    }

    private static async ValueTask RejectAsync(HttpContext http, Refusal? refusal)
    {
        var services = http.RequestServices;
        var keyName = http.User.Identity?.Name ?? "unknown";
        var seconds = refusal?.RetryAfterSeconds ?? 1;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var (limit, detail) = refusal switch
        {
            { Kind: RateLimitKind.Concurrency, Silos: 1 } r => ("concurrency",
                $"This API key already has {r.Limit} calls in flight, its concurrency limit; retry after {seconds} s."),
            { Kind: RateLimitKind.Concurrency } r => ("concurrency",
                $"This API key already has {r.Share} calls in flight on this server, its share of its concurrency limit ({r.Limit} across {r.Silos} servers); retry after {seconds} s."),
            { Silos: 1 } r => ($"rate:{r.Scope}",
                $"This API key has used its '{r.Scope}' rate limit ({r.Limit} tokens, refilled over time; a call costs one token, a graph call its limit); retry after {seconds} s."),
            { } r => ($"rate:{r.Scope}",
                $"This API key has used its '{r.Scope}' rate limit on this server ({r.Share} tokens, its share of {r.Limit} across {r.Silos} servers, refilled over time; a call costs one token, a graph call its limit); retry after {seconds} s."),
            _ => ("rate", $"This API key is over a rate limit; retry after {seconds} s."),
        };
        services.GetRequiredService<RejectionCounter>().Add(keyName, refusal?.Scope ?? "unknown", refusal?.Kind ?? RateLimitKind.Rate);
        RateLimited(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimiting).FullName!), keyName, limit);
        await services.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = detail,
                Extensions = { ["limit"] = limit, ["retryAfterSeconds"] = seconds },
            },
        });
    }

    /// <summary><c>reputation.rate_limit.rejections</c>: refused calls by key name (configured names, never keys), scope and limit.</summary>
    internal sealed class RejectionCounter(IMeterFactory meters)
    {
        private readonly Counter<long> _rejections = meters.Create(ReputationMetrics.MeterName)
            .CreateCounter<long>(RejectionsInstrument, unit: "{call}", description: "Calls refused with 429 by a per-key rate or concurrency limit");

        public void Add(string keyName, string scope, RateLimitKind kind) =>
            _rejections.Add(1, new("key", keyName), new("scope", scope), new("limit", kind == RateLimitKind.Concurrency ? "concurrency" : "rate"));
    }

    /// <summary>
    /// Keeps each key's limits at this silo's share of the configured figures: 1/N, N the active
    /// silos in Orleans membership, recomputed whenever membership changes. That makes the figures
    /// cluster-wide on the assumption that the load balancer spreads a key's calls over the silos;
    /// a key whose calls all reach one silo gets 1/N there. The limiter is taken when the service
    /// starts, not when the host builds its services: building it reads the keys' options, and a
    /// configuration error found then would hide every other option's error from the start-up check.
    /// </summary>
    internal sealed partial class RateLimitSharing(IClusterMembershipService membership, Func<ApiKeyRateLimiter> limiterOf, ILogger<RateLimitSharing> logger) : BackgroundService
    {
        public static int ActiveSilos(ClusterMembershipSnapshot snapshot) => snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var limiter = limiterOf();
            try
            {
                await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
                {
                    var silos = ActiveSilos(snapshot);
                    if (limiter.ShareAmong(silos))
                    {
                        LimitsShared(logger, limiter.Silos);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping.
            }
        }

        [LoggerMessage(1123, LogLevel.Information, "Per-key limits shared among {Silos} active silos: each admits its equal share of the configured figures")]
        private static partial void LimitsShared(ILogger logger, int silos);
    }

    [LoggerMessage(1121, LogLevel.Information, "Per-key rate limits {State}; at most {Concurrency} calls of one key in flight")]
    private static partial void RateLimitsConfigured(ILogger logger, string state, int concurrency);

    // Debug: a key over its limit can send thousands of calls a second; the counter shows them.
    [LoggerMessage(1122, LogLevel.Debug, "API key {KeyName} refused by its {Limit} limit")]
    private static partial void RateLimited(ILogger logger, string keyName, string limit);
}
