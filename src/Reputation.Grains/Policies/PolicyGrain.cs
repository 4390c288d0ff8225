using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Policies;

/// <summary>One saved version of a named policy: its JSON (<see cref="PolicyJson"/>), who saved it and when.</summary>
[GenerateSerializer, Immutable, Alias("reputation.PolicyRevision")]
public sealed record PolicyRevision
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required int Version { get; init; }
    [Id(2)] public required string Json { get; init; }
    [Id(3)] public required string By { get; init; }
    [Id(4)] public required DateTimeOffset At { get; init; }
}

/// <summary>The answer to a save: the new revision, or the current version when the caller's was not it.</summary>
[GenerateSerializer, Immutable, Alias("reputation.PolicySaveResult")]
public sealed record PolicySaveResult
{
    [Id(0)] public PolicyRevision? Saved { get; init; }
    [Id(1)] public required int CurrentVersion { get; init; }
}

/// <summary>Told of every new version of the policy it subscribed to.</summary>
[Alias("reputation.IPolicyObserver")]
public interface IPolicyObserver : IGrainObserver
{
    [Alias("PolicyChanged")]
    Task PolicyChangedAsync(PolicyRevision revision);

    /// <summary>A candidate was set (or replaced), or removed (<paramref name="shadow"/> null).</summary>
    [Alias("ShadowChanged")]
    Task ShadowChangedAsync(string name, ShadowRevision? shadow);
}

[Alias("reputation.IPolicyGrain")]
public interface IPolicyGrain : IGrainWithStringKey
{
    /// <summary>The current version; <c>default</c> is the built-in policy (version 1) until someone saves one.</summary>
    [Alias("Get")]
    ValueTask<PolicyRevision?> GetAsync();

    /// <summary>
    /// Saves a validated policy if <paramref name="expectedVersion"/> is the current version
    /// (optimistic concurrency), then tells every subscribed silo.
    /// </summary>
    [Alias("Save")]
    ValueTask<PolicySaveResult> SaveAsync(string json, int expectedVersion, string by);

    /// <summary>Saved versions, newest first (the last <see cref="PolicyState.HistoryCapacity"/>).</summary>
    [Alias("History")]
    ValueTask<PolicyRevision[]> GetHistoryAsync();

    /// <summary>Subscribes (or renews) an observer; subscriptions expire unless renewed.</summary>
    [Alias("Subscribe")]
    ValueTask SubscribeAsync(IPolicyObserver observer);

    /// <summary>Sets the candidate evaluated beside the live policy (a new id each time, so its report starts afresh).</summary>
    [Alias("SetShadow")]
    ValueTask<ShadowRevision> SetShadowAsync(string json, string by);

    /// <summary>Removes the candidate; false when there was none.</summary>
    [Alias("ClearShadow")]
    ValueTask<bool> ClearShadowAsync();

    [Alias("GetShadow")]
    ValueTask<ShadowRevision?> GetShadowAsync();
}

[GenerateSerializer, Alias("reputation.PolicyState")]
public sealed class PolicyState
{
    public const int HistoryCapacity = 100;

    /// <summary>Newest first.</summary>
    [Id(0)] public List<PolicyRevision> History { get; set; } = [];
    [Id(1)] public ShadowRevision? Shadow { get; set; }
    /// <summary>Ids of candidates are never reused, so an old report cannot be mistaken for a new one.</summary>
    [Id(2)] public int LastShadowId { get; set; }
}

public sealed class PolicyGrain(
    [PersistentState("policy", StorageNames.Reputation)] IPersistentState<PolicyState> state,
    ReputationClock time,
    ILogger<PolicyGrain> logger) : Grain, IPolicyGrain
{
    public const string DefaultName = "default";

    /// <summary>Silos renew well within this.</summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(3);

    private readonly ObserverManager<IPolicyObserver> _observers = new(SubscriptionLifetime, logger);

    private string Name => this.GetPrimaryKeyString();

    ValueTask<PolicyRevision?> IPolicyGrain.GetAsync() => ValueTask.FromResult(Current());

    async ValueTask<PolicySaveResult> IPolicyGrain.SaveAsync(string json, int expectedVersion, string by)
    {
        var current = Current();
        var currentVersion = current?.Version ?? 0;
        if (expectedVersion != currentVersion)
        {
            return new PolicySaveResult { CurrentVersion = currentVersion };
        }

        var version = currentVersion + 1;
        var policy = PolicyJson.Deserialize(json) with { Name = Name, Version = version };
        var revision = new PolicyRevision { Name = Name, Version = version, Json = PolicyJson.Serialize(policy), By = by, At = time.UtcNow };
        var history = state.State.History;
        if (history.Count == 0 && current is not null)
        {
            // The built-in default was never stored: keep it as version 1 so it can be restored.
            history.Add(current);
        }

        history.Insert(0, revision);
        if (history.Count > PolicyState.HistoryCapacity)
        {
            history.RemoveRange(PolicyState.HistoryCapacity, history.Count - PolicyState.HistoryCapacity);
        }

        await WriteAsync();
        await _observers.Notify(o => o.PolicyChangedAsync(revision));
        return new PolicySaveResult { Saved = revision, CurrentVersion = version };
    }

    ValueTask<PolicyRevision[]> IPolicyGrain.GetHistoryAsync()
    {
        var history = state.State.History;
        return ValueTask.FromResult<PolicyRevision[]>(history.Count > 0 ? [.. history] : Current() is { } builtIn ? [builtIn] : []);
    }

    ValueTask IPolicyGrain.SubscribeAsync(IPolicyObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return ValueTask.CompletedTask;
    }

    async ValueTask<ShadowRevision> IPolicyGrain.SetShadowAsync(string json, string by)
    {
        var s = state.State;
        var policy = PolicyJson.Deserialize(json) with { Name = Name, Version = Current()?.Version ?? 0 };
        var shadow = new ShadowRevision { Name = Name, Id = s.LastShadowId + 1, Json = PolicyJson.Serialize(policy), By = by, At = time.UtcNow };
        var replaced = s.Shadow;
        s.Shadow = shadow;
        s.LastShadowId = shadow.Id;
        await WriteAsync();
        await _observers.Notify(o => o.ShadowChangedAsync(Name, shadow));
        await CloseReportAsync(replaced);
        return shadow;
    }

    async ValueTask<bool> IPolicyGrain.ClearShadowAsync()
    {
        if (state.State.Shadow is null)
        {
            return false;
        }

        var removed = state.State.Shadow;
        state.State.Shadow = null;
        await WriteAsync();
        await _observers.Notify(o => o.ShadowChangedAsync(Name, null));
        await CloseReportAsync(removed);
        return true;
    }

    /// <summary>
    /// A replaced or removed candidate's report can no longer be read, so it keeps nothing: its list
    /// of accounts whose decision would change goes with it (docs/security.md, "Retention").
    /// </summary>
    private Task CloseReportAsync(ShadowRevision? candidate) =>
        candidate is null ? Task.CompletedTask : GrainFactory.GetGrain<IShadowReportGrain>(ShadowReportGrain.Key(Name, candidate.Id)).CloseAsync();

    ValueTask<ShadowRevision?> IPolicyGrain.GetShadowAsync() => ValueTask.FromResult(state.State.Shadow);

    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private PolicyRevision? Current()
    {
        if (state.State.History.Count > 0)
        {
            return state.State.History[0];
        }

        return Name == DefaultName
            ? new PolicyRevision { Name = DefaultName, Version = ScoringPolicy.Default.Version, Json = PolicyJson.Serialize(ScoringPolicy.Default), By = "built-in", At = DateTimeOffset.UnixEpoch }
            : null;
    }
}
