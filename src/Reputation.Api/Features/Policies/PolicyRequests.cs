using System.Text.Json;
using System.Text.RegularExpressions;
using Mediator;
using Reputation.Api.Errors;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;
using Reputation.Core.Webhooks;
using Reputation.Grains.Policies;
using Reputation.Grains.Webhooks;

namespace Reputation.Api.Features.Policies;

public sealed partial record GetPolicy(string Name) : IRequest<PolicyRevision?>, IValidatable
{
    public void Validate(ValidationErrors errors) => PolicyNames.Validate(errors, Name);
}

public sealed record GetPolicyHistory(string Name) : IRequest<PolicyRevision[]>, IValidatable
{
    public void Validate(ValidationErrors errors) => PolicyNames.Validate(errors, Name);
}

/// <summary>Saves <paramref name="Json"/> as the next version of a policy if <paramref name="ExpectedVersion"/> is current.</summary>
public sealed record SavePolicy(string Name, string Json, int ExpectedVersion, string By) : IRequest<PolicySaveResult>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        PolicyNames.Validate(errors, Name);
        ScoringPolicy policy;
        try
        {
            policy = PolicyJson.Deserialize(Json);
        }
        catch (JsonException ex)
        {
            // Unknown fields, wrong types, not JSON: the path names the field.
            errors.Add(string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.'), JsonProblem.FieldMessage(ex));
            return;
        }

        foreach (var error in PolicyValidator.Validate(policy))
        {
            errors.Add(error.Field, error.Error);
        }
    }
}

internal static partial class PolicyNames
{
    public static void Validate(ValidationErrors errors, string name)
    {
        if (!Pattern().IsMatch(name))
        {
            errors.Add("name", "must be 1 to 64 lowercase letters, digits or hyphens");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

public sealed class PolicyHandlers(IGrainFactory grains) :
    IRequestHandler<GetPolicy, PolicyRevision?>,
    IRequestHandler<GetPolicyHistory, PolicyRevision[]>,
    IRequestHandler<SavePolicy, PolicySaveResult>
{
    public ValueTask<PolicyRevision?> Handle(GetPolicy request, CancellationToken cancellationToken) =>
        grains.GetGrain<IPolicyGrain>(request.Name).GetAsync();

    public ValueTask<PolicyRevision[]> Handle(GetPolicyHistory request, CancellationToken cancellationToken) =>
        grains.GetGrain<IPolicyGrain>(request.Name).GetHistoryAsync();

    public async ValueTask<PolicySaveResult> Handle(SavePolicy request, CancellationToken cancellationToken)
    {
        var result = await grains.GetGrain<IPolicyGrain>(request.Name).SaveAsync(request.Json, request.ExpectedVersion, request.By);
        if (result.Saved is { } saved)
        {
            await WebhookPublisher.PublishAsync(grains, WebhookEvents.PolicyPromoted, $"{saved.Name}:{saved.Version}", saved.At,
                new { policy = saved.Name, version = saved.Version, by = saved.By });
        }

        return result;
    }
}
