using Reputation.Grains.Erasure;

namespace Reputation.Grains;

/// <summary>Erasure (docs/security.md, "Erasure"): campaigns keep their size (a sketch) but no longer name the account.</summary>
public sealed partial class CampaignRegistryGrain : ICampaignErasure
{
    async ValueTask<int> ICampaignErasure.ForgetMemberAsync(string accountId)
    {
        var named = 0;
        foreach (var campaign in state.State.Campaigns)
        {
            named += campaign.Members.Remove(accountId) ? 1 : 0;
        }

        if (named > 0)
        {
            await CommitAsync();
        }

        return named;
    }
}
