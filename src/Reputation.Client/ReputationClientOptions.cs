using System.ComponentModel.DataAnnotations;
using Reputation.Contracts;

namespace Reputation.Client;

/// <summary>
/// Settings of <see cref="ReputationClient"/>: where the service is, the API key, per-call deadlines
/// and the decisions to fall back on when the service cannot answer in time.
/// </summary>
/// <remarks>
/// Validated with data annotations (and <see cref="Validate"/>) when the client is built, so a wrong
/// setting fails at start-up, not on the first decision. Bind it from configuration with
/// <see cref="ReputationClientServiceCollectionExtensions.AddReputationClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>,
/// conventionally from the section <see cref="SectionName"/>.
/// </remarks>
public sealed class ReputationClientOptions : IValidatableObject
{
    /// <summary>The conventional configuration section: <c>Reputation:Client</c>.</summary>
    public const string SectionName = "Reputation:Client";

    /// <summary>Absolute http(s) address of the service, for example <c>http://127.0.0.1:5080/</c>.</summary>
    [Required]
    public Uri? BaseAddress { get; set; }

    /// <summary>The API key, sent in the <c>X-Api-Key</c> header of every request.</summary>
    [Required]
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// How long a decision call may take before the fallback decision is used (default 250 ms).
    /// A decision sits on the caller's hot path (signup page, gateway, checkout), so it is short.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan DecisionTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long one attempt to ingest a batch may take (default 10 s); a timed-out attempt is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan IngestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many times a failed ingest is retried after a transient failure (connection failure,
    /// timeout, 408, 429 or 5xx); default 3, 0 turns retries off. Retrying is safe because events are
    /// idempotent by id: a re-sent event is counted once.
    /// </summary>
    [Range(0, 10)]
    public int IngestMaxRetries { get; set; } = 3;

    /// <summary>Base delay before the first ingest retry (default 200 ms); later retries back off exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan IngestRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a read (account, IP range or payment instrument view) may take (default 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Signup decision used when the service cannot answer (default <see cref="SignupDecision.Review"/>):
    /// the signup goes through without friction, but an investigator sees it, so an outage neither
    /// turns real users away nor waves a campaign's accounts through unseen.
    /// </summary>
    [EnumDataType(typeof(SignupDecision))]
    public SignupDecision FallbackSignupDecision { get; set; } = SignupDecision.Review;

    /// <summary>
    /// Request decision used when the service cannot answer (default <see cref="RequestDecision.Allow"/>):
    /// the gateway must never stall or refuse paying users because the reputation service is down;
    /// <see cref="FallbackRequestsPerMinute"/> bounds what an abuser gains meanwhile and
    /// <see cref="FallbackCacheTtlSeconds"/> makes the gateway ask again soon.
    /// </summary>
    [EnumDataType(typeof(RequestDecision))]
    public RequestDecision FallbackRequestDecision { get; set; } = RequestDecision.Allow;

    /// <summary>
    /// Billing decision used when the service cannot answer (default <see cref="BillingDecision.Hold"/>).
    /// Failing open on money is riskier than failing open on a request: a charge allowed blindly may be
    /// a stolen card or a chargeback farm, and money once captured is costly to claw back (disputes,
    /// chargeback fees, processor penalties), while a held charge is only delayed and can be released
    /// when the service answers again. Set <see cref="BillingDecision.Allow"/> if the billing flow
    /// cannot hold charges.
    /// </summary>
    [EnumDataType(typeof(BillingDecision))]
    public BillingDecision FallbackBillingDecision { get; set; } = BillingDecision.Hold;

    /// <summary>Requests per minute in the fallback request decision (default 600).</summary>
    [Range(0, 1_000_000)]
    public int FallbackRequestsPerMinute { get; set; } = 600;

    /// <summary>
    /// Cache TTL, in seconds, of the fallback request decision (default 5): short, so the gateway
    /// returns to real decisions soon after the service is back.
    /// </summary>
    [Range(0, 3600)]
    public int FallbackCacheTtlSeconds { get; set; } = 5;

    /// <summary>Checks what attributes cannot: the base address is an absolute http or https URI.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>The validation errors, if any.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseAddress is { } address
            && (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                $"BaseAddress must be an absolute http or https URI, not '{address}'.", [nameof(BaseAddress)]);
        }
    }
}
