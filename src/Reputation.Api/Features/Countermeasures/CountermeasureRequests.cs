using Mediator;
using Reputation.Api.Errors;
using Reputation.Contracts;
using Reputation.Core.Scoring;
using Reputation.Grains;

namespace Reputation.Api.Features.Countermeasures;

/// <summary>A release; the answer is null when the account was never seen (404).</summary>
public sealed record ReleaseAccount(string AccountId, ReleaseRequest Body, string By) : IRequest<ReleaseResult?>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        Fields.Id(errors, "accountId", AccountId);
        Fields.Reason(errors, "reason", Body.Reason);
    }
}

public sealed class ReleaseAccountHandler(IGrainFactory grains, ReputationClock time) : IRequestHandler<ReleaseAccount, ReleaseResult?>
{
    public async ValueTask<ReleaseResult?> Handle(ReleaseAccount request, CancellationToken cancellationToken)
    {
        var change = new LabelChange { Label = Label.None, Reason = request.Body.Reason.Trim(), By = request.By, At = time.UtcNow };
        // Not cancellable: a release that has begun is finished even if the caller goes away.
        return await grains.Ref<IAccountGrain>(request.AccountId).ReleaseAsync(change) is not { } r ? null : new ReleaseResult
        {
            AccountId = request.AccountId,
            HoldUntil = r.HoldUntil,
            Score = r.Score,
            ReleasedUntil = r.ReleasedUntil,
            Label = new LabelView { Label = LabelKind.Cleared, Reason = r.Label.Reason, LabelledBy = r.Label.By, LabelledAt = r.Label.At },
        };
    }
}

public sealed record GetWatermark(string KeyId) : IRequest<WatermarkView?>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (!WatermarkKeys.IsValid(KeyId))
        {
            errors.Add("keyId", "a watermark key id is wm- and 16 lowercase hex digits, as a degrade decision gives it");
        }
    }
}

public sealed class GetWatermarkHandler(IGrainFactory grains) : IRequestHandler<GetWatermark, WatermarkView?>
{
    public async ValueTask<WatermarkView?> Handle(GetWatermark request, CancellationToken cancellationToken) =>
        await grains.Ref<IWatermarkGrain>(request.KeyId).GetSnapshotAsync() is not { } s ? null : new WatermarkView
        {
            KeyId = request.KeyId,
            CampaignId = s.CampaignId,
            AccountId = s.AccountId,
            IssuedAt = s.IssuedAt,
            LastIssuedAt = s.LastIssuedAt,
            AccountsIssued = s.AccountsIssued,
            Accounts = s.Accounts,
        };
}
