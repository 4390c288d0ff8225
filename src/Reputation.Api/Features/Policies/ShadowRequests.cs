using Reputation.Core.Scoring;
using System.Text.Json;
using Mediator;
using Reputation.Api.Errors;
using Reputation.Contracts;
using Reputation.Grains.Policies;

namespace Reputation.Api.Features.Policies;

/// <summary>Sets the candidate of the live policy; validated exactly as a saved policy is.</summary>
public sealed record SetShadow(string Name, string Json, string By) : IRequest<ShadowView>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        ShadowNames.Validate(errors, Name);
        new SavePolicy(Name, Json, 0, By).Validate(errors);
    }
}

public sealed record ClearShadow(string Name) : IRequest<bool>, IValidatable
{
    public void Validate(ValidationErrors errors) => ShadowNames.Validate(errors, Name);
}

public sealed record GetShadowReport(string Name) : IRequest<ShadowReport?>, IValidatable
{
    public void Validate(ValidationErrors errors) => ShadowNames.Validate(errors, Name);
}

internal static class ShadowNames
{
    public static void Validate(ValidationErrors errors, string name)
    {
        if (name != PolicyGrain.DefaultName)
        {
            errors.Add("name", "shadow mode evaluates a candidate beside the live policy, which is 'default'");
        }
    }
}

public sealed class ShadowHandlers(IGrainFactory grains) :
    IRequestHandler<SetShadow, ShadowView>,
    IRequestHandler<ClearShadow, bool>,
    IRequestHandler<GetShadowReport, ShadowReport?>
{
    public async ValueTask<ShadowView> Handle(SetShadow request, CancellationToken cancellationToken)
    {
        var shadow = await grains.GetGrain<IPolicyGrain>(request.Name).SetShadowAsync(request.Json, request.By);
        return View(shadow);
    }

    public ValueTask<bool> Handle(ClearShadow request, CancellationToken cancellationToken) =>
        grains.GetGrain<IPolicyGrain>(request.Name).ClearShadowAsync();

    public async ValueTask<ShadowReport?> Handle(GetShadowReport request, CancellationToken cancellationToken)
    {
        if (await grains.GetGrain<IPolicyGrain>(request.Name).GetShadowAsync() is not { } shadow)
        {
            return null;
        }

        var tally = await grains.GetGrain<IShadowReportGrain>(ShadowReportGrain.Key(request.Name, shadow.Id)).GetAsync();
        long total = 0, changed = 0;
        for (var kind = 0; kind < 3; kind++)
        {
            for (var live = 0; live < ShadowCounts.Outcomes; live++)
            {
                for (var candidate = 0; candidate < ShadowCounts.Outcomes; candidate++)
                {
                    var count = tally.Counts[ShadowCounts.Index((DecisionKind)kind, live, candidate)];
                    total += count;
                    changed += live != candidate ? count : 0;
                }
            }
        }

        return new ShadowReport
        {
            ShadowId = shadow.Id,
            SetBy = shadow.By,
            SetAt = shadow.At,
            Decisions = total,
            Changed = changed,
            Signup = Cells<SignupDecision>(tally, DecisionKind.Signup),
            Request = Cells<RequestDecision>(tally, DecisionKind.Request),
            Billing = Cells<BillingDecision>(tally, DecisionKind.Billing),
            ChangedAccounts = tally.Changed,
            DelaySeconds = SiloPolicyCache.ReportEvery.TotalSeconds,
        };
    }

    internal static ShadowView View(ShadowRevision shadow) => new()
    {
        ShadowId = shadow.Id,
        SetBy = shadow.By,
        SetAt = shadow.At,
        Policy = Element(shadow.Json),
    };

    private static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static List<ShadowCell<T>> Cells<T>(ShadowTally tally, DecisionKind kind)
        where T : struct, Enum
    {
        var outcomes = Enum.GetValues<T>();
        var cells = new List<ShadowCell<T>>();
        foreach (var live in outcomes)
        {
            foreach (var candidate in outcomes)
            {
                var count = tally.Counts[ShadowCounts.Index(kind, Convert.ToInt32(live, System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt32(candidate, System.Globalization.CultureInfo.InvariantCulture))];
                if (count > 0)
                {
                    cells.Add(new ShadowCell<T>(live, candidate, count));
                }
            }
        }

        return cells;
    }
}
