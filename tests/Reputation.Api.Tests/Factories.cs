using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;

namespace Reputation.Api.Tests;

/// <summary>The Development host plus a key that has only the <c>read</c> scope.</summary>
public sealed class ReadOnlyKeyFactory : ApiFactory
{
    public const string ReadOnlyKey = "read-only-test-key-3f9c1a";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Keys 0 and 1 are the Development keys from appsettings.Development.json.
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Name", "read-only");
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Sha256", Sha256Hex(ReadOnlyKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Scopes:0", "read");
    }

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

[CollectionDefinition(Name)]
public sealed class ReadOnlyKeyCollection : ICollectionFixture<ReadOnlyKeyFactory>
{
    public const string Name = "api-read-only-key";
}

/// <summary>
/// The Development host on real Kestrel (the request body limit is a Kestrel limit; the in-memory
/// test server has none) with a 2 KiB body limit.
/// </summary>
public sealed class SmallBodyLimitFactory : ApiFactory
{
    public const int MaxRequestBodyBytes = 2048;

    public SmallBodyLimitFactory() => UseKestrel(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:Api:MaxRequestBodyBytes", MaxRequestBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

[CollectionDefinition(Name)]
public sealed class SmallBodyLimitCollection : ICollectionFixture<SmallBodyLimitFactory>
{
    public const string Name = "api-small-body-limit";
}

/// <summary>The host as it runs outside Development: no default keys, one configured key.</summary>
public class ProductionFactory : ApiFactory
{
    public const string ProductionKey = "production-test-key-8b2e07";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Reputation:ApiKeys:Keys:0:Name", "production-test");
        builder.UseSetting("Reputation:ApiKeys:Keys:0:Sha256", ReadOnlyKeyFactory.Sha256Hex(ProductionKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:0:Scopes:0", "decide");
        builder.UseSetting("Reputation:ApiKeys:Keys:0:Scopes:1", "ingest");
        builder.UseSetting("Reputation:ApiKeys:Keys:0:Scopes:2", "read");
        builder.UseSetting("Reputation:Privacy:EmailHashKey", Convert.ToBase64String(Encoding.UTF8.GetBytes("production-test-email-hash-key!!")));
    }
}

[CollectionDefinition(Name)]
public sealed class ProductionCollection : ICollectionFixture<ProductionFactory>
{
    public const string Name = "api-production";
}

/// <summary>
/// The host outside Development with Swagger UI switched on, and a second key that has every scope
/// but <c>read</c>.
/// </summary>
public sealed class ProductionSwaggerFactory : ProductionFactory
{
    public const string DecideOnlyKey = "production-decide-only-key-51d0c4";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:Swagger:Enabled", "true");
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Name", "production-decide-only");
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Sha256", ReadOnlyKeyFactory.Sha256Hex(DecideOnlyKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Scopes:0", "decide");
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Scopes:1", "ingest");
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Scopes:2", "operate");
    }
}

[CollectionDefinition(Name)]
public sealed class ProductionSwaggerCollection : ICollectionFixture<ProductionSwaggerFactory>
{
    public const string Name = "api-production-swagger";
}

/// <summary>
/// The Development host with an OTLP endpoint set (a loopback port nothing listens on, so every
/// export fails) and <c>/metrics</c> behind a key.
/// </summary>
public sealed class TelemetryFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{UnusedPort()}");
        builder.UseSetting("Reputation:Metrics:RequireKey", "true");
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryFactory>
{
    public const string Name = "api-telemetry";
}

/// <summary>The Development host with the benchmark endpoints of <c>./bench.sh</c> mapped.</summary>
public sealed class BenchFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:Api:BenchmarkEndpoints", "true");
    }
}

[CollectionDefinition(Name)]
public sealed class BenchCollection : ICollectionFixture<BenchFactory>
{
    public const string Name = "api-bench";
}

/// <summary>
/// The Development host plus two gateway keys: one restricted to the accounts whose id starts with
/// <see cref="AcmePrefix"/>, and an unrestricted one that a test treats as stolen.
/// </summary>
public sealed class GatewayKeysFactory : ApiFactory
{
    public const string AcmeKey = "acme-gateway-test-key-6d1f93";
    public const string AcmeKeyName = "acme-gateway";
    public const string AcmePrefix = "acme-";
    public const string RogueKey = "rogue-gateway-test-key-0b7c2e";
    public const string RogueKeyName = "rogue-gateway";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Keys 0 and 1 are the Development keys from appsettings.Development.json.
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Name", AcmeKeyName);
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Sha256", ReadOnlyKeyFactory.Sha256Hex(AcmeKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Scopes:0", "decide");
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Scopes:1", "ingest");
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Scopes:2", "read");
        builder.UseSetting("Reputation:ApiKeys:Keys:2:AccountPrefixes:0", AcmePrefix);
        builder.UseSetting("Reputation:ApiKeys:Keys:3:Name", RogueKeyName);
        builder.UseSetting("Reputation:ApiKeys:Keys:3:Sha256", ReadOnlyKeyFactory.Sha256Hex(RogueKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:3:Scopes:0", "decide");
        builder.UseSetting("Reputation:ApiKeys:Keys:3:Scopes:1", "ingest");
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayKeysCollection : ICollectionFixture<GatewayKeysFactory>
{
    public const string Name = "api-gateway-keys";
}
