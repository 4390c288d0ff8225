using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Errors;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Grains;
using Reputation.Grains.Review;

namespace Reputation.Api.Features.Review;

internal static class ReviewApi
{
    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder app)
    {
        // Query values arrive as text so a bad one is a validation problem naming it, not a binding failure.
        app.MapGet("/v1/review", async Task<Ok<ReviewPage>> (string? limit, string? after, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = "review";
                return TypedResults.Ok(await mediator.Send(new GetReview(limit, after), ct));
            })
            .WithTags("Review")
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.ReviewRead)
            .ProducesCommonProblems()
            .WithName("ListReview")
            .WithSummary("The review queue: held accounts and campaigns, highest score first, then the newest hold, with top reasons and age")
            .WithDescription("An account is here from the request decision that begins its hold (or makes it stricter) until the hold ends " +
                "(holdUntil), an operator releases it (POST /v1/accounts/{id}/release), labels it fraud (confirmed) or trusted, or it is erased. " +
                "A held member of a campaign is listed under its campaign, with accountsHeld and the most recent held accounts; a " +
                "campaign leaves when its last member's hold ends, when every member counted in accountsHeld has left so, or when it is " +
                "labelled (POST /v1/labels, entityType campaign). `limit` 1-100 " +
                "(default 20); `after` is the `next` of the previous page, absent for the first. Items that leave while you page are " +
                "simply not shown; none is shown twice. The queue keeps the 500 highest-risk accounts outside campaigns and 64 " +
                "campaigns. Audited as review.read.");

        return app;
    }
}

public sealed record GetReview(string? Limit, string? After) : IRequest<ReviewPage>, IValidatable
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public int LimitValue => Limit is null ? DefaultLimit : int.Parse(Limit, CultureInfo.InvariantCulture);

    public void Validate(ValidationErrors errors)
    {
        if (Limit is not null && (!int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out var l) || l is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

        if (After is not null && ReviewCursors.Parse(After) is null)
        {
            errors.Add("after", "must be the next of a previous page, as the service gave it");
        }
    }
}

/// <summary>
/// <c>next</c> as the client sees it: the last item's place in review order (score, start of the
/// hold, kind, id), base64url, so a page continues after it even when that item has left the queue.
/// </summary>
internal static class ReviewCursors
{
    public static string Format(ReviewCursor c) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{c.Score:R}|{c.Since.UtcTicks}|{(c.Campaign ? 'c' : 'a')}|{c.Id}")));

    public static ReviewCursor? Parse(string text)
    {
        if (text.Length > 512 || !Base64Url.IsValid(text))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('|', 4);
        return parts.Length == 4
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && double.IsFinite(score)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && parts[2] is "a" or "c" && parts[3].Length > 0
            ? new ReviewCursor { Score = score, Since = new DateTimeOffset(ticks, TimeSpan.Zero), Campaign = parts[2] == "c", Id = parts[3] }
            : null;
    }
}

public sealed class GetReviewHandler(IGrainFactory grains, ReputationClock time) : IRequestHandler<GetReview, ReviewPage>
{
    public async ValueTask<ReviewPage> Handle(GetReview request, CancellationToken cancellationToken)
    {
        var page = await grains.Ref<IReviewQueueGrain>(ReviewQueueGrain.Key)
            .ReadAsync(request.LimitValue, request.After is null ? null : ReviewCursors.Parse(request.After));
        var now = time.UtcNow;
        return new ReviewPage
        {
            Items = [.. page.Items.Select(i => new ReviewItem
            {
                Kind = i.Campaign ? EntityType.Campaign : EntityType.Account,
                Id = i.Id,
                Score = i.Score,
                Decision = (RequestDecision)i.Outcome,
                HeldSince = i.Since,
                HoldUntil = i.Until,
                AgeSeconds = Math.Max(0, (long)(now - i.Since).TotalSeconds),
                Reasons = [.. i.Reasons.Select(r => new Reason(r.Code, r.Contribution, r.Detail))],
                AccountsHeld = i.AccountsHeld,
                Accounts = i.Accounts,
            })],
            Next = page.Next is { } next ? ReviewCursors.Format(next) : null,
        };
    }
}
