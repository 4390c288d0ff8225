using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;
using Reputation.Core.Backtests;
using Reputation.Core.Policies;

namespace Reputation.Grains.Backtests;

/// <summary>
/// One per silo (an Orleans grain service, addressed by silo): decides this silo's sample again,
/// so the facts never leave the silo, only the counts; and forgets an erased account.
/// </summary>
[Alias("reputation.IBacktestService")]
public interface IBacktestService : IGrainService
{
    [Alias("Run")]
    Task<BacktestTallyWire> RunAsync(string currentJson, string candidateJson);

    [Alias("ForgetAccount")]
    Task<int> ForgetAccountAsync(string accountId);
}

/// <summary>Reaches the <see cref="IBacktestService"/> of a given silo.</summary>
public interface IBacktestServiceClient : IGrainServiceClient<IBacktestService>
{
    IBacktestService On(SiloAddress silo);
}

public sealed class BacktestServiceClient(IServiceProvider services) : GrainServiceClient<IBacktestService>(services), IBacktestServiceClient
{
    public IBacktestService On(SiloAddress silo) => GetGrainService(silo);
}

// Reentrant: both calls are short work on the thread-safe sample, never waiting on another grain.
[Reentrant]
public sealed class BacktestService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, IDecisionSamples samples)
    : GrainService(grainId, silo, loggerFactory), IBacktestService
{
    Task<BacktestTallyWire> IBacktestService.RunAsync(string currentJson, string candidateJson) =>
        Task.FromResult(BacktestTallyWire.From(Backtest.Run(samples.Snapshot(), PolicyJson.Deserialize(currentJson), PolicyJson.Deserialize(candidateJson))));

    Task<int> IBacktestService.ForgetAccountAsync(string accountId) => Task.FromResult(samples.Forget(accountId));
}
