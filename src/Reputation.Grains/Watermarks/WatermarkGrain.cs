using Reputation.Core.Collections;

namespace Reputation.Grains.Watermarks;

/// <summary>Bounded: the key's subject, two times, a count and the 256 most recent accounts.</summary>
[GenerateSerializer, Alias("reputation.WatermarkState")]
public sealed class WatermarkState
{
    public const int AccountCapacity = 256;

    [Id(0)] public string? CampaignId { get; set; }
    [Id(1)] public string? AccountId { get; set; }
    [Id(2)] public DateTimeOffset? IssuedAt { get; set; }
    [Id(3)] public DateTimeOffset LastIssuedAt { get; set; }
    [Id(4)] public long AccountsIssued { get; set; }
    /// <summary>Most recent first.</summary>
    [Id(5)] public List<string> Accounts { get; set; } = [];
}

/// <summary>
/// One watermark key id (<c>wm-</c> and 16 hex digits): whom decisions issued it to and when, so
/// that outputs of a released model carrying the gateway's watermark can be attributed
/// (docs/gateway-contract.md). Each account tells it once per key it is given.
/// </summary>
public sealed class WatermarkGrain(
    [PersistentState("watermark", StorageNames.Reputation)] IPersistentState<WatermarkState> state) : Grain, IWatermarkGrain
{
    async Task IWatermarkGrain.IssuedAsync(string accountId, string? campaignId, DateTimeOffset at)
    {
        var s = state.State;
        if (s.IssuedAt is null)
        {
            s.IssuedAt = at;
            // A key names its subject by hash: the first issue says which kind it is.
            s.CampaignId = campaignId;
            s.AccountId = campaignId is null ? accountId : null;
        }

        if (s.Accounts.Contains(accountId, StringComparer.Ordinal))
        {
            return;
        }

        RecentList.Touch(s.Accounts, accountId, WatermarkState.AccountCapacity);
        s.AccountsIssued++;
        s.LastIssuedAt = at;
        await state.WriteStateAsync();
    }

    ValueTask<WatermarkSnapshot?> IWatermarkGrain.GetSnapshotAsync()
    {
        var s = state.State;
        return ValueTask.FromResult(s.IssuedAt is not { } issued ? null : new WatermarkSnapshot
        {
            CampaignId = s.CampaignId,
            AccountId = s.AccountId,
            IssuedAt = issued,
            LastIssuedAt = s.LastIssuedAt,
            AccountsIssued = s.AccountsIssued,
            Accounts = [.. s.Accounts],
        });
    }

    async ValueTask<bool> IWatermarkGrain.ForgetAccountAsync(string accountId)
    {
        var s = state.State;
        var removed = s.Accounts.Remove(accountId);
        if (s.AccountId == accountId)
        {
            // A key of the erased account alone: nothing of it is left to attribute.
            await state.ClearStateAsync();
            return true;
        }

        if (removed)
        {
            await state.WriteStateAsync();
        }

        return removed;
    }
}
