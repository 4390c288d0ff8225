using System.ComponentModel.DataAnnotations;

namespace Reputation.Api.Hosting;

public enum StorageProvider
{
    /// <summary>Azure Table storage (Azurite locally): the real store.</summary>
    AzureTable,
    /// <summary>In-memory: for tests and quick experiments only; nothing survives a restart.</summary>
    Memory,
}

public enum ClusteringMode
{
    /// <summary>One silo on this machine, fixed ports.</summary>
    Localhost,
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

    /// <summary>How long the start-up check waits for storage before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

public sealed class SiloHostOptions
{
    public const string SectionName = "Reputation:Silo";

    public ClusteringMode Clustering { get; init; } = ClusteringMode.Localhost;

    [Required]
    public string ClusterId { get; init; } = "reputation";

    [Required]
    public string ServiceId { get; init; } = "reputation";

    /// <summary>Fixed, so a restarted silo replaces its own membership entry.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; init; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; init; } = 30000;
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
}

public sealed class PrivacyOptions
{
    public const string SectionName = "Reputation:Privacy";

    /// <summary>Key for the keyed hash of email addresses (base64, at least 16 bytes). Required outside Development.</summary>
    [Required(ErrorMessage = "Reputation:Privacy:EmailHashKey must be set (base64, at least 16 bytes).")]
    public string? EmailHashKey { get; init; }
}
