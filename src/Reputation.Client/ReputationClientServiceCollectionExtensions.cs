using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Refit;

namespace Reputation.Client;

/// <summary>Registers <see cref="ReputationClient"/> and its source-generated Refit client.</summary>
public static class ReputationClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ReputationClient"/> (transient, like the typed <see cref="HttpClient"/> under it)
    /// and <see cref="IReputationApi"/>, configured in code.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; they are validated when the client is first resolved (and at host start).</param>
    /// <returns>The builder of the underlying <see cref="HttpClient"/>, to add handlers or set the primary handler.</returns>
    public static IHttpClientBuilder AddReputationClient(this IServiceCollection services, Action<ReputationClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ReputationClientOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="ReputationClient"/> (transient) and <see cref="IReputationApi"/>, with options bound
    /// from a configuration section, conventionally <c>configuration.GetSection(ReputationClientOptions.SectionName)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding <c>BaseAddress</c>, <c>ApiKey</c>, <c>DecisionTimeout</c> and so on.</param>
    /// <returns>The builder of the underlying <see cref="HttpClient"/>, to add handlers or set the primary handler.</returns>
    public static IHttpClientBuilder AddReputationClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ReputationClientOptions>().Bind(configuration);
        return AddCore(services);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<ReputationClientOptions>, ReputationClientOptionsValidator>());
        services.AddOptions<ReputationClientOptions>().ValidateOnStart();

        // Transient, so a long-lived holder does not pin one HttpClient handler (and its DNS answer) forever:
        // resolve it where it is used, or from a scope.
        services.TryAddTransient<ReputationClient>();

        return services
            .AddRefitGeneratedClient<IReputationApi>(_ => ReputationJson.CreateRefitSettings())
            .ConfigureHttpClient(static (provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<ReputationClientOptions>>().Value;
                http.BaseAddress = options.BaseAddress;

                // Every call has its own deadline (decision, ingest attempt, read); HttpClient's 100 s
                // default would only cut a long retried ingest short.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });
    }
}
