using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Reputation.Api.Hosting;
using Reputation.Api.Security;

namespace Reputation.Api.Tests;

/// <summary>
/// The configured per-key figures are for the whole cluster: each of N active silos admits 1/N of
/// them, recomputed as Orleans membership changes (docs/operations.md#rate-limits).
/// </summary>
public sealed class RateLimitShareTests
{
    private const string KeyName = "share-tenant";

    [Theory]
    [InlineData(100, 1, 100)]
    [InlineData(100, 2, 50)]
    [InlineData(101, 2, 50)] // rounded down: the cluster never admits more than the figure
    [InlineData(100, 3, 33)]
    [InlineData(5, 8, 1)] // never below one permit
    [InlineData(1, 2, 1)]
    [InlineData(7, 0, 7)] // no active silo known yet: this one counts as the cluster
    public void Each_silo_gets_an_equal_share_rounded_down_and_never_below_one(int clusterLimit, int activeSilos, int share) =>
        Assert.Equal(share, ClusterShare.Of(clusterLimit, activeSilos));

    [Fact]
    public async Task With_two_active_silos_a_silo_admits_half_of_a_key_s_rate_and_calls_in_flight_and_all_again_when_one_leaves()
    {
        var options = new RateLimitOptions
        {
            ConcurrentRequestsPerKey = 6,
            Decide = new TokenBucketLimit { TokenLimit = 10, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1) },
            Read = new TokenBucketLimit { TokenLimit = 1_000, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromHours(1) },
        };
        var keys = new ApiKeyOptions { Keys = [new ApiKeyEntry { Name = KeyName, Sha256 = new string('0', 64), Scopes = ["decide", "read"] }] };
        using var limiter = new ApiKeyRateLimiter(Options.Create(keys), Options.Create(options));
        var membership = new MembershipFake();
        using var sharing = new RateLimiting.RateLimitSharing(membership, () => limiter, NullLogger<RateLimiting.RateLimitSharing>.Instance);
        await sharing.StartAsync(TestContext.Current.CancellationToken);

        // Two silos active (a third still joining does not count).
        membership.Publish(SiloStatus.Active, SiloStatus.Active, SiloStatus.Joining);
        await Eventually.ValueAsync(() => Task.FromResult(limiter.Silos), n => n == 2, "the limits shared between two silos");
        Assert.Equal(5, Admitted(limiter, 20));
        Assert.Equal(3, InFlight(limiter, 20)); // reads: their bucket is far from empty, calls in flight are what stops them

        // One left: this silo is the cluster again, with the whole figures.
        membership.Publish(SiloStatus.Active, SiloStatus.Dead);
        await Eventually.ValueAsync(() => Task.FromResult(limiter.Silos), n => n == 1, "the limits whole on one silo");
        Assert.Equal(10, Admitted(limiter, 20));

        await sharing.StopAsync(TestContext.Current.CancellationToken);
    }

    private static DefaultHttpContext Call(string scope = "decide")
    {
        var http = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, KeyName)], "test")) };
        http.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new RequiredScopeMetadata(scope)), scope));
        return http;
    }

    /// <summary>Decisions admitted of <paramref name="calls"/> made one after another, each ended before the next.</summary>
    private static int Admitted(ApiKeyRateLimiter limiter, int calls)
    {
        var admitted = 0;
        for (var i = 0; i < calls; i++)
        {
            using var lease = limiter.AttemptAcquire(Call());
            admitted += lease.IsAcquired ? 1 : 0;
        }

        return admitted;
    }

    /// <summary>Reads admitted of <paramref name="calls"/> made while every one admitted is still in flight.</summary>
    private static int InFlight(ApiKeyRateLimiter limiter, int calls)
    {
        var leases = Enumerable.Range(0, calls).Select(_ => limiter.AttemptAcquire(Call("read"))).ToList();
        var admitted = leases.Count(l => l.IsAcquired);
        leases.ForEach(l => l.Dispose());
        return admitted;
    }

    /// <summary>Membership as the test says it is: each <see cref="Publish"/> is one update.</summary>
    private sealed class MembershipFake : IClusterMembershipService
    {
        private readonly Channel<ClusterMembershipSnapshot> _updates = Channel.CreateUnbounded<ClusterMembershipSnapshot>();
        private long _version;

        public ClusterMembershipSnapshot CurrentSnapshot { get; private set; } = new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty, MembershipVersion.MinValue);

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => _updates.Reader.ReadAllAsync();

        public void Publish(params SiloStatus[] silos)
        {
            var members = silos.Select((status, i) => new ClusterMember(SiloAddress.New(IPAddress.Loopback, 11_000 + i, 1), status, $"silo-{i}"))
                .ToImmutableDictionary(m => m.SiloAddress);
            CurrentSnapshot = new ClusterMembershipSnapshot(members, new MembershipVersion(++_version));
            _updates.Writer.TryWrite(CurrentSnapshot);
        }

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }
}
