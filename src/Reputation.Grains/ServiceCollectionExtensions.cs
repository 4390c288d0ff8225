using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Reputation.Grains.Policies;
using Reputation.Grains.State;

namespace Reputation.Grains;

public static class ServiceCollectionExtensions
{
    /// <summary>Services the reputation grains need in a silo; storage is configured by the host.</summary>
    public static IServiceCollection AddReputationGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(ReputationClock.Default);
        // Off unless the host logs ingested events (docs/decisions/0039-write-ahead-log-ingest.md).
        services.TryAddSingleton<WriteBehind>();
        services.TryAddSingleton(Audit.AuditRetention.Unbounded);

        // Grain state goes to storage in Orleans' own binary format, not in the default Newtonsoft
        // JSON, which took about a third of the CPU of ingestion (docs/decisions/0015-state-serializer.md).
        // Registered last, it is the one the storage providers' options take.
        services.AddSingleton<IGrainStorageSerializer, StateSerializer>();
        services.TryAddSingleton<SiloPolicyCache>();
        services.TryAddSingleton<IPolicyCache>(sp => sp.GetRequiredService<SiloPolicyCache>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloPolicyCache>());
        services.AddMetrics();
        services.TryAddSingleton<ReputationMetrics>();
        services.TryAddSingleton<ListCache>();
        services.TryAddSingleton<IListCache>(sp => sp.GetRequiredService<ListCache>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ListCache>());
        services.TryAddSingleton<IntelCache>();
        services.TryAddSingleton<IIntelCache>(sp => sp.GetRequiredService<IntelCache>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<IntelCache>());
        services.TryAddSingleton(UsageSinceSetting.Learned);
        services.TryAddSingleton<UsageObservation>();
        services.TryAddSingleton<IUsageObservation>(sp => sp.GetRequiredService<UsageObservation>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<UsageObservation>());
        services.TryAddSingleton<Templates.ModelReleases>();
        services.TryAddSingleton<Templates.IModelReleases>(sp => sp.GetRequiredService<Templates.ModelReleases>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Templates.ModelReleases>());
        services.TryAddSingleton<Templates.SiloCustomerBase>();
        services.TryAddSingleton<Templates.ICustomerBase>(sp => sp.GetRequiredService<Templates.SiloCustomerBase>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Templates.SiloCustomerBase>());
        services.TryAddSingleton(Webhooks.WebhookSettings.Default);
        services.TryAddSingleton<Webhooks.WebhookSender>();
        services.AddSingleton<Webhooks.WebhookWaker>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Webhooks.WebhookWaker>());
        services.TryAddSingleton(ConfirmationSettings.Default);
        services.TryAddSingleton<ConfirmationBatcher>();
        services.TryAddSingleton(Accounts.DecisionCacheSettings.Default);
        services.TryAddSingleton<Accounts.DecisionCache>();
        services.TryAddSingleton<Accounts.IDecisionCache>(sp => sp.GetRequiredService<Accounts.DecisionCache>());
        services.TryAddSingleton(Backtests.DecisionSampleSettings.Default);
        services.TryAddSingleton<Backtests.IDecisionSamples, Backtests.DecisionSamples>();
        services.AddGrainService<Backtests.BacktestService>();
        services.TryAddSingleton<Backtests.IBacktestServiceClient, Backtests.BacktestServiceClient>();
        return services;
    }
}
