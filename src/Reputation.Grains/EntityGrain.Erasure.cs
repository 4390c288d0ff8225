using Reputation.Grains.Erasure;

namespace Reputation.Grains;

/// <summary>Erasure (docs/security.md, "Erasure"): an entity forgets an account but keeps counting it.</summary>
public abstract partial class EntityGrain<TState> : IEntityErasure
{
    async ValueTask<bool> IEntityErasure.ForgetAccountAsync(string accountId, string placeholder)
    {
        var s = Persisted.State;
        var changed = s.RecentAccounts.Remove(accountId);
        changed |= s.Risk.ReplaceAccount(accountId, placeholder);
        changed |= ForgetSampled(accountId);
        if (changed)
        {
            await WriteAsync();
        }

        return changed;
    }

    /// <summary>Removes the account from samples of the entity's own kind; true when it was in one.</summary>
    protected virtual bool ForgetSampled(string accountId) => false;
}
