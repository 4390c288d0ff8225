using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using Mediator;
using Microsoft.Extensions.Options;
using Reputation.Api.Errors;
using Reputation.Api.Features.Keys;
using Reputation.Api.Hosting;
using Reputation.Contracts;
using Reputation.Core.Networks;
using Reputation.Core.Privacy;
using Reputation.Core.Scoring;
using Reputation.Grains;
using Reputation.Grains.Policies;
using Reputation.Grains.Provenance;

namespace Reputation.Api.Features.Decisions;

/// <param name="Body">The signup.</param>
/// <param name="Sender">The configured name of the key that sent it: the signup it records is that key's event.</param>
public sealed record DecideSignup(SignupDecisionRequest Body, string? Sender = null) : IRequest<SignupDecisionResponse>, IValidatable, IDecisionMessage<SignupDecisionResponse>
{
    public DecisionKind Kind => DecisionKind.Signup;

    public int OutcomeOf(SignupDecisionResponse response) => (int)response.Decision;

    public void Validate(ValidationErrors errors)
    {
        Fields.Id(errors, "accountId", Body.AccountId);
        Fields.Ip(errors, "ip", Body.Ip);
        Fields.Email(errors, "email", Body.Email);
        Fields.Id(errors, "paymentFingerprint", Body.PaymentFingerprint, required: false);
        Fields.Id(errors, "deviceId", Body.DeviceId, required: false);
        Fields.Country(errors, "country", Body.Country);
        Fields.Id(errors, "organizationId", Body.OrganizationId, required: false);
    }
}

public sealed class DecideSignupHandler(IGrainFactory grains, EmailHasher emails, ReputationClock time, IOptions<ApiOptions> options, KeyJournal journal)
    : IRequestHandler<DecideSignup, SignupDecisionResponse>
{
    public async ValueTask<SignupDecisionResponse> Handle(DecideSignup request, CancellationToken cancellationToken)
    {
        var b = request.Body;
        var signup = SignupOf(b, emails, request.Sender, time.UtcNow);
        var recorded = await grains.Ref<IAccountGrain>(b.AccountId).SignupSentAsync(signup);
        var arrivedAt = journal.Now;
        await journal.AppendAsync(request.Sender, arrivedAt, [.. JournalEntry.Of(b.AccountId, [signup], recorded.Recorded, arrivedAt)]);
        var result = recorded.Decision;
        return new SignupDecisionResponse
        {
            AccountId = b.AccountId,
            Decision = (SignupDecision)result.Outcome,
            Score = result.Score,
            Reasons = DecisionMapping.Reasons(result, options.Value.TopReasons),
            PolicyVersion = result.PolicyVersion,
        };
    }

    /// <summary>The signup a decision records. The same signup sent twice (a retry) is recorded once: its id is its content.</summary>
    internal static SignupEvent SignupOf(SignupDecisionRequest b, EmailHasher emails, string? sender, DateTimeOffset at)
    {
        IpRange.TryFromAddress(b.Ip, out var range);
        var emailHash = emails.Hash(b.Email);
        var country = b.Country?.ToUpperInvariant();
        var (domainHash, domainKind) = emails.HashDomain(b.Email);
        var organization = string.IsNullOrWhiteSpace(b.OrganizationId) ? null : b.OrganizationId;
        var verified = organization is not null && b.OrganizationVerified == true;
        string Id(string? hash) => SignupId(b.AccountId, range.ToString(), hash, b.PaymentFingerprint, b.DeviceId, country,
            organization, verified ? "verified" : null);
        return new SignupEvent
        {
            EventId = Id(emailHash),
            // During an email hash key rotation, the id the same signup had under the previous key.
            PreviousKeyEventId = emails.HashPrevious(b.Email) is { } previous ? Id(previous) : null,
            OccurredAt = at,
            IpRange = range.ToString(),
            Sender = sender,
            EmailHash = emailHash,
            PaymentFingerprint = b.PaymentFingerprint,
            DeviceId = b.DeviceId,
            Country = country,
            OrganizationId = organization,
            OrganizationVerified = verified,
            EmailDomainHash = domainHash,
            EmailDomainKind = domainKind,
        };
    }

    internal static string SignupId(params string?[] parts)
    {
        var text = string.Join('\u001f', parts.Select(p => p ?? string.Empty));
        return "signup:" + Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
    }
}
