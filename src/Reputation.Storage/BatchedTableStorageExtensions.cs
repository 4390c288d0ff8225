using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime.Hosting;

namespace Reputation.Storage;

public static class BatchedTableStorageExtensions
{
    /// <summary>
    /// Adds <see cref="BatchedTableGrainStorage"/> as the grain storage named <paramref name="name"/>;
    /// it serialises state with the silo's <c>IGrainStorageSerializer</c>.
    /// </summary>
    public static IServiceCollection AddBatchedTableGrainStorage(this IServiceCollection services, string name, Action<BatchedTableStorageOptions> configure)
    {
        services.AddOptions<BatchedTableStorageOptions>(name).Configure(configure);
        services.AddMetrics();
        services.TryAddSingleton<StorageMetrics>();
        return services.AddGrainStorage(name, BatchedTableGrainStorage.Create);
    }
}
