using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Refit;
using Reputation.Contracts;

namespace Reputation.Client;

/// <summary>
/// The typed client that signup, gateway and billing services use to call the reputation service.
/// </summary>
/// <remarks>
/// <para>
/// Decisions never stall and never throw because the service is down: each has a deadline
/// (<see cref="ReputationClientOptions.DecisionTimeout"/>), and when the service times out, cannot
/// be reached or answers 5xx (or 408/429, which say it is overloaded) the configured fallback decision
/// is returned with <see cref="DecisionResult{TResponse}.IsFallback"/> set. A 4xx answer is a bug of
/// the caller (bad request, bad key, missing scope) and throws <see cref="ReputationApiException"/>.
/// A cancellation by the caller's own token is rethrown as <see cref="OperationCanceledException"/>.
/// </para>
/// <para>
/// Ingestion retries transient failures, which is safe because events are idempotent by id.
/// The API key is sent per request, so clients with different keys can share one <see cref="HttpClient"/>.
/// Register with <see cref="ReputationClientServiceCollectionExtensions"/>, or build one over an existing
/// <see cref="HttpClient"/> with <see cref="Create"/>. Instances are thread-safe.
/// </para>
/// </remarks>
public sealed class ReputationClient
{
    /// <summary>The header that carries the API key: <c>X-Api-Key</c>.</summary>
    public const string ApiKeyHeaderName = "X-Api-Key";

    private readonly IReputationApi _api;
    private readonly ILogger _logger;
    private readonly string _apiKey;
    private readonly TimeSpan _decisionTimeout;
    private readonly TimeSpan _readTimeout;
    private readonly TimeSpan _ingestTimeout;
    private readonly int _ingestMaxRetries;
    private readonly TimeSpan _ingestRetryDelay;
    private readonly SignupDecision _fallbackSignup;
    private readonly RequestDecision _fallbackRequest;
    private readonly BillingDecision _fallbackBilling;
    private readonly int _fallbackRequestsPerMinute;
    private readonly int _fallbackCacheTtlSeconds;
    private ResiliencePipeline<IApiResponse<EventBatchResult>>? _ingestPipeline;

    /// <summary>Creates a client over a Refit implementation of the contract (the constructor dependency injection uses).</summary>
    /// <param name="api">The Refit client; its <see cref="HttpClient"/> carries the base address.</param>
    /// <param name="options">The client options; they are read once, here.</param>
    /// <param name="logger">Where fallbacks and retries are logged; none when <see langword="null"/>.</param>
    public ReputationClient(IReputationApi api, IOptions<ReputationClientOptions> options, ILogger<ReputationClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        ArgumentException.ThrowIfNullOrEmpty(o.ApiKey, "options.ApiKey");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(o.DecisionTimeout, TimeSpan.Zero, "options.DecisionTimeout");

        _api = api;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _apiKey = o.ApiKey;
        _decisionTimeout = o.DecisionTimeout;
        _readTimeout = o.ReadTimeout;
        _ingestTimeout = o.IngestTimeout;
        _ingestMaxRetries = o.IngestMaxRetries;
        _ingestRetryDelay = o.IngestRetryDelay;
        _fallbackSignup = o.FallbackSignupDecision;
        _fallbackRequest = o.FallbackRequestDecision;
        _fallbackBilling = o.FallbackBillingDecision;
        _fallbackRequestsPerMinute = o.FallbackRequestsPerMinute;
        _fallbackCacheTtlSeconds = o.FallbackCacheTtlSeconds;
    }

    /// <summary>
    /// Builds a client over an existing <see cref="HttpClient"/>, for example the one
    /// <c>WebApplicationFactory.CreateDefaultClient()</c> returns. The caller keeps owning
    /// <paramref name="http"/>; nothing is added to its default headers.
    /// </summary>
    /// <param name="http">The HTTP client. If it has no base address, <see cref="ReputationClientOptions.BaseAddress"/> is set on it.</param>
    /// <param name="options">The client options; validated here.</param>
    /// <param name="logger">Where fallbacks and retries are logged; none when <see langword="null"/>.</param>
    /// <returns>The client.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="ArgumentException"><paramref name="http"/> has a base address other than the options'.</exception>
    public static ReputationClient Create(HttpClient http, ReputationClientOptions options, ILogger<ReputationClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ReputationClientOptionsValidator.ThrowIfInvalid(options);
        if (http.BaseAddress is null)
        {
            http.BaseAddress = options.BaseAddress;
        }
        else if (http.BaseAddress != options.BaseAddress)
        {
            throw new ArgumentException(
                $"The HttpClient's base address '{http.BaseAddress}' differs from options.BaseAddress '{options.BaseAddress}'.",
                nameof(http));
        }

        var api = RestService.ForGenerated<IReputationApi>(http, ReputationJson.CreateRefitSettings());
        return new ReputationClient(api, Options.Create(options), logger);
    }

    /// <summary>Asks what to do with a signup, and records the signup (<c>POST /v1/decisions/signup</c>).</summary>
    /// <param name="request">The signup.</param>
    /// <param name="cancellationToken">The caller's token; cancelling it throws rather than falling back.</param>
    /// <returns>The decision, or the fallback (<see cref="ReputationClientOptions.FallbackSignupDecision"/>, default review) if the service could not answer.</returns>
    /// <exception cref="ReputationApiException">The service answered 4xx (invalid request, key or scope).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<DecisionResult<SignupDecisionResponse>> DecideSignupAsync(
        SignupDecisionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DecideAsync(
            "signup",
            request,
            static (api, r, key, ct) => api.DecideSignupAsync(r, key, ct),
            static (client, r) => new SignupDecisionResponse
            {
                AccountId = r.AccountId,
                Decision = client._fallbackSignup,
                Score = 0,
                Reasons = [],
                PolicyVersion = 0,
            },
            cancellationToken);
    }

    /// <summary>Asks what to do with an account's requests (<c>POST /v1/decisions/request</c>); read-only.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The caller's token; cancelling it throws rather than falling back.</param>
    /// <returns>
    /// The decision, or the fallback (<see cref="ReputationClientOptions.FallbackRequestDecision"/>, default allow,
    /// at <see cref="ReputationClientOptions.FallbackRequestsPerMinute"/> for <see cref="ReputationClientOptions.FallbackCacheTtlSeconds"/>)
    /// if the service could not answer.
    /// </returns>
    /// <exception cref="ReputationApiException">The service answered 4xx (invalid request, key or scope).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<DecisionResult<RequestDecisionResponse>> DecideRequestAsync(
        RequestDecisionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DecideAsync(
            "request",
            request,
            static (api, r, key, ct) => api.DecideRequestAsync(r, key, ct),
            static (client, r) => new RequestDecisionResponse
            {
                AccountId = r.AccountId,
                Decision = client._fallbackRequest,
                Score = 0,
                Reasons = [],
                RequestsPerMinute = client._fallbackRequestsPerMinute,
                CacheTtlSeconds = client._fallbackCacheTtlSeconds,
                PolicyVersion = 0,
            },
            cancellationToken);
    }

    /// <summary>Asks what to do with a charge (<c>POST /v1/decisions/billing</c>).</summary>
    /// <param name="request">The charge.</param>
    /// <param name="cancellationToken">The caller's token; cancelling it throws rather than falling back.</param>
    /// <returns>The decision, or the fallback (<see cref="ReputationClientOptions.FallbackBillingDecision"/>, default hold) if the service could not answer.</returns>
    /// <exception cref="ReputationApiException">The service answered 4xx (invalid request, key or scope).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<DecisionResult<BillingDecisionResponse>> DecideBillingAsync(
        BillingDecisionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DecideAsync(
            "billing",
            request,
            static (api, r, key, ct) => api.DecideBillingAsync(r, key, ct),
            static (client, r) => new BillingDecisionResponse
            {
                AccountId = r.AccountId,
                Decision = client._fallbackBilling,
                Score = 0,
                Reasons = [],
                PolicyVersion = 0,
            },
            cancellationToken);
    }

    /// <summary>
    /// Sends a batch of events (<c>POST /v1/events</c>). A connection failure, an attempt that takes longer
    /// than <see cref="ReputationClientOptions.IngestTimeout"/>, or a 408, 429 or 5xx answer is retried up to
    /// <see cref="ReputationClientOptions.IngestMaxRetries"/> times with exponential backoff; that is safe
    /// because the service counts an event id once.
    /// </summary>
    /// <param name="batch">1 to 1000 events.</param>
    /// <param name="cancellationToken">Cancels the call and its retries.</param>
    /// <returns>How many events were accepted, were duplicates, or were rejected (and why).</returns>
    /// <exception cref="ReputationApiException">The service answered an error (4xx at once, 5xx once retries are spent).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached, retries included.</exception>
    /// <exception cref="TimeoutException">Every attempt timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<EventBatchResult> IngestAsync(EventBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var pipeline = _ingestPipeline ??= BuildIngestPipeline();
        IApiResponse<EventBatchResult> response;
        try
        {
            response = await pipeline.ExecuteAsync(
                static async (state, ct) => await state.Api.IngestAsync(state.Batch, state.Key, ct),
                (Api: _api, Batch: batch, Key: _apiKey),
                cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new TimeoutException(
                $"Ingest did not complete within {_ingestTimeout} in {_ingestMaxRetries + 1} attempt(s).", ex);
        }

        using (response)
        {
            if (response.IsSuccessful && response.Content is { } result)
            {
                return result;
            }

            throw ToException(response, "an event batch result", cancellationToken);
        }
    }

    /// <summary>Reads an account's view (<c>GET /v1/accounts/{accountId}</c>).</summary>
    /// <param name="accountId">The account id; it is escaped into the path, so any characters will do, except that <c>.</c> and <c>..</c> alone cannot be addressed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, or <see langword="null"/> if the account was never seen (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="accountId"/> is empty, <c>.</c> or <c>..</c>.</exception>
    public Task<AccountView?> GetAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(accountId);
        return ReadAsync(accountId, static (api, id, key, ct) => api.GetAccountAsync(id, key, ct), cancellationToken);
    }

    /// <summary>
    /// Erases an account (<c>DELETE /v1/accounts/{accountId}</c>, scope <c>operate</c>): its state, and its id
    /// wherever the service holds it; counts it contributed stay, anonymous. Events sent later for the
    /// same id start a new account.
    /// </summary>
    /// <param name="accountId">The account id; escaped into the path as for <see cref="GetAccountAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the wait; an erasure the service has begun is finished anyway.</param>
    /// <returns>What was erased, or <see langword="null"/> if the service holds no such account (404: never seen, or already erased).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404 (403 without the operate scope).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="accountId"/> is empty, <c>.</c> or <c>..</c>.</exception>
    public Task<ErasureResult?> EraseAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(accountId);
        return ReadAsync(accountId, static (api, id, key, ct) => api.EraseAccountAsync(id, key, ct), cancellationToken);
    }

    /// <summary>
    /// Releases a held account (<c>POST /v1/accounts/{accountId}/release</c>, scope <c>operate</c>): ends its
    /// hold and records a cleared label; while its score stays within the policy's release margin of
    /// its score now, the same evidence does not hold it again. Audited.
    /// </summary>
    /// <param name="accountId">The account id; escaped into the path as for <see cref="GetAccountAsync"/>.</param>
    /// <param name="reason">Why (kept with the label and in the audit log; no personal data).</param>
    /// <param name="cancellationToken">Cancels the wait; a release the service has begun is finished anyway.</param>
    /// <returns>What the release did, or <see langword="null"/> if the service never saw the account (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404 (400 names <c>reason</c>, 403 without the operate scope).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="accountId"/> is empty, <c>.</c> or <c>..</c>.</exception>
    public Task<ReleaseResult?> ReleaseAccountAsync(string accountId, string reason, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(accountId);
        return ReadAsync((Id: accountId, Body: new ReleaseRequest { Reason = reason }),
            static (api, r, key, ct) => api.ReleaseAccountAsync(r.Id, r.Body, key, ct), cancellationToken);
    }

    /// <summary>Reads whom a watermark key was issued to (<c>GET /v1/watermarks/{keyId}</c>, scope <c>operate</c>).</summary>
    /// <param name="keyId">The key id from a degrade decision's <see cref="RequestDecisionResponse.WatermarkKeyId"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's record, or <see langword="null"/> if no decision ever issued it (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404 (400 for a malformed key id).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is empty, <c>.</c> or <c>..</c>.</exception>
    public Task<WatermarkView?> GetWatermarkAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(keyId);
        return ReadAsync(keyId, static (api, id, key, ct) => api.GetWatermarkAsync(id, key, ct), cancellationToken);
    }

    /// <summary>
    /// Reads the review queue (<c>GET /v1/review</c>, scope <c>operate</c>): held accounts and campaigns,
    /// highest score first, then the newest hold, with their top reasons and age. Audited.
    /// </summary>
    /// <param name="limit">Items per page, 1-100; the service's default (20) when null.</param>
    /// <param name="after">The <see cref="ReviewPage.Next"/> of the previous page; null for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page; its <see cref="ReviewPage.Next"/> is null on the last one.</returns>
    /// <exception cref="ReputationApiException">The service answered an error (400 names <c>limit</c> or <c>after</c>, 403 without the operate scope).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<ReviewPage> ListReviewAsync(int? limit = null, string? after = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync((Limit: limit, After: after), static (api, q, key, ct) => api.ListReviewAsync(q.Limit, q.After, key, ct), cancellationToken, notFoundIsNull: false))!;

    /// <summary>
    /// Creates or replaces a webhook (<c>PUT /v1/webhooks/{name}</c>, scope <c>operate</c>): deliveries of the
    /// events asked for are signed with the secret (<c>X-Reputation-Signature</c>), carry an idempotency key
    /// (<c>X-Reputation-Delivery</c>) and are retried until the service gives up. Audited.
    /// </summary>
    /// <param name="name">The name: lower-case letters, digits and dashes.</param>
    /// <param name="request">URL, secret and events.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The webhook as configured, without its secret.</returns>
    /// <exception cref="ReputationApiException">The service answered an error (400 names the bad field, 403 without the operate scope).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<WebhookView> PutWebhookAsync(string name, WebhookRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        ArgumentNullException.ThrowIfNull(request);
        return (await ReadAsync((Name: name, Request: request), static (api, r, key, ct) => api.PutWebhookAsync(r.Name, r.Request, key, ct), cancellationToken, notFoundIsNull: false))!;
    }

    /// <summary>Removes a webhook (<c>DELETE /v1/webhooks/{name}</c>, scope <c>operate</c>); its pending deliveries are dropped. Audited.</summary>
    /// <param name="name">The webhook's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it was removed, false when there was none (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<bool> DeleteWebhookAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        return DeleteAsync(name, static (api, n, key, ct) => api.DeleteWebhookAsync(n, key, ct), cancellationToken);
    }

    /// <summary>Reads a webhook's delivery log (<c>GET /v1/webhooks/{name}/deliveries</c>, scope <c>operate</c>). Audited.</summary>
    /// <param name="name">The webhook's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Pending deliveries, then the last 100 done, newest first; <see langword="null"/> if no such webhook (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<WebhookDeliveryLog?> GetWebhookDeliveriesAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        return ReadAsync(name, static (api, n, key, ct) => api.GetWebhookDeliveriesAsync(n, key, ct), cancellationToken);
    }

    /// <summary>Reads an IP range's view (<c>GET /v1/ip-ranges/{network}/{prefixLength}</c>).</summary>
    /// <param name="network">The range's network address, for example <c>198.51.100.0</c> or <c>2001:db8::</c>.</param>
    /// <param name="prefixLength">The prefix length, for example 24 or 64.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, or <see langword="null"/> if the service has no such range (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<IpRangeView?> GetIpRangeAsync(string network, int prefixLength, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(network);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        return ReadAsync(
            (Network: network, PrefixLength: prefixLength),
            static (api, range, key, ct) => api.GetIpRangeAsync(range.Network, range.PrefixLength, key, ct),
            cancellationToken);
    }

    /// <summary>Reads an IP range's view (<c>GET /v1/ip-ranges/{network}/{prefixLength}</c>).</summary>
    /// <param name="range">The range, for example <c>IPNetwork.Parse("198.51.100.0/24")</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, or <see langword="null"/> if the service has no such range (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<IpRangeView?> GetIpRangeAsync(IPNetwork range, CancellationToken cancellationToken = default) =>
        GetIpRangeAsync(range.BaseAddress.ToString(), range.PrefixLength, cancellationToken);

    /// <summary>Reads a payment instrument's view (<c>GET /v1/payment-instruments/{fingerprint}</c>).</summary>
    /// <param name="fingerprint">The payment fingerprint token; escaped into the path (<c>.</c> and <c>..</c> alone cannot be addressed).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, or <see langword="null"/> if the instrument was never seen (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="fingerprint"/> is empty, <c>.</c> or <c>..</c>.</exception>
    public Task<PaymentInstrumentView?> GetPaymentInstrumentAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(fingerprint);
        return ReadAsync(fingerprint, static (api, f, key, ct) => api.GetPaymentInstrumentAsync(f, key, ct), cancellationToken);
    }

    /// <summary>
    /// Labels an entity fraud, trusted or cleared (<c>POST /v1/labels</c>; needs the operate scope). A
    /// campaign (<see cref="EntityType.Campaign"/>) is labelled through its members:
    /// <see cref="LabelResponse.AccountsLabelled"/> says how many.
    /// </summary>
    /// <param name="request">The label.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The label as recorded.</returns>
    /// <exception cref="ReputationApiException">The service answered an error (400 names the bad field, 403 without the operate scope, 404 for a campaign it does not hold).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<LabelResponse> SetLabelAsync(LabelRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await ReadAsync(request, static (api, r, key, ct) => api.SetLabelAsync(r, key, ct), cancellationToken, notFoundIsNull: false))!;
    }

    /// <summary>
    /// Voids the events one API key sent, all that the key journal keeps or those that arrived in a
    /// window (<c>POST /v1/keys/{keyName}/void</c>; needs the operate scope): the affected accounts'
    /// counters and links are rebuilt without them. Audited.
    /// </summary>
    /// <param name="keyName">The key's configured name (never the key).</param>
    /// <param name="request">The window (by arrival time) and the reason.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was voided.</returns>
    /// <exception cref="ReputationApiException">The service answered an error (400 names the bad field, for example a <c>from</c> older than the journal keeps; 403 without the operate scope).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyName"/> is empty, <c>.</c> or <c>..</c>.</exception>
    public async Task<VoidKeyResult> VoidKeyEventsAsync(string keyName, VoidKeyRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(keyName);
        ArgumentNullException.ThrowIfNull(request);
        return (await ReadAsync((Key: keyName, Request: request), static (api, r, key, ct) => api.VoidKeyEventsAsync(r.Key, r.Request, key, ct), cancellationToken, notFoundIsNull: false))!;
    }

    /// <summary>Lists campaigns, largest first, then newest (<c>GET /v1/campaigns</c>).</summary>
    /// <param name="limit">Campaigns per page, 1-100; the service's default (20) when null.</param>
    /// <param name="after">The <see cref="CampaignPage.Next"/> of the previous page; null for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page; its <see cref="CampaignPage.Next"/> is null on the last one.</returns>
    /// <exception cref="ReputationApiException">The service answered an error (400 names <c>limit</c> or <c>after</c>).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<CampaignPage> ListCampaignsAsync(int? limit = null, string? after = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync((Limit: limit, After: after), static (api, q, key, ct) => api.ListCampaignsAsync(q.Limit, q.After, key, ct), cancellationToken, notFoundIsNull: false))!;

    /// <summary>Puts an entity on the allow or deny list (<c>PUT /v1/lists/{list}/{entityType}/{entityId}</c>, scope <c>operate</c>). Audited.</summary>
    /// <param name="list">Which list.</param>
    /// <param name="entityType">The entity's kind (not a campaign).</param>
    /// <param name="entityId">Its id; an IP range as <c>network/prefixLength</c>, e.g. <c>198.18.0.0/16</c>.</param>
    /// <param name="request">Why, and until when.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The entry as the service holds it (an unchanged entry keeps its first <c>addedAt</c>).</returns>
    /// <exception cref="ReputationApiException">400 naming the bad field, 409 when the entity is on the other list or the list is full.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<ListEntry> PutListEntryAsync(ListKind list, EntityType entityType, string entityId, ListEntryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityId);
        ArgumentNullException.ThrowIfNull(request);
        return (await ReadAsync((List: ListSegment(list), Type: EntitySegment(entityType), Id: entityId, Request: request),
            static (api, q, key, ct) => api.PutListEntryAsync(q.List, q.Type, q.Id, q.Request, key, ct), cancellationToken, notFoundIsNull: false))!;
    }

    /// <summary>Removes an entity from the allow or deny list (<c>DELETE /v1/lists/{list}/{entityType}/{entityId}</c>, scope <c>operate</c>). Audited.</summary>
    /// <param name="list">Which list.</param>
    /// <param name="entityType">The entity's kind.</param>
    /// <param name="entityId">Its id, as for <see cref="PutListEntryAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it was removed, false when it was not on that list (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<bool> DeleteListEntryAsync(ListKind list, EntityType entityType, string entityId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityId);
        return DeleteAsync((List: ListSegment(list), Type: EntitySegment(entityType), Id: entityId),
            static (api, q, key, ct) => api.DeleteListEntryAsync(q.List, q.Type, q.Id, key, ct), cancellationToken);
    }

    private static string ListSegment(ListKind list) => list == ListKind.Allow ? "allow" : "deny";

    private static string EntitySegment(EntityType type) => type switch
    {
        EntityType.Account => "account",
        EntityType.PaymentInstrument => "payment-instrument",
        EntityType.IpRange => "ip-range",
        EntityType.PromptTemplate => "prompt-template",
        _ => "campaign",
    };

    /// <summary>Lists a page of the allow or deny list (<c>GET /v1/lists/{list}</c>, scope <c>operate</c>).</summary>
    /// <param name="list">Which list.</param>
    /// <param name="limit">Entries per page (the service's default when null).</param>
    /// <param name="after">The previous page's <see cref="ListPage.Next"/>; null for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page; its <see cref="ListPage.Next"/> is null on the last one.</returns>
    /// <exception cref="ReputationApiException">The service answered an error (403 without the operate scope).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<ListPage> ListEntriesAsync(ListKind list, int? limit = null, string? after = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync((List: ListSegment(list), Limit: limit, After: after),
            static (api, q, key, ct) => api.ListEntriesAsync(q.List, q.Limit, q.After, key, ct), cancellationToken, notFoundIsNull: false))!;

    /// <summary>Reads a page of the audit log, newest first (<c>GET /v1/audit</c>, scope <c>operate</c>).</summary>
    /// <param name="limit">Records per page, 1-500 (50 when null).</param>
    /// <param name="before">The previous page's <see cref="AuditPage.Next"/>; null for the newest page.</param>
    /// <param name="action">Only records of this action, e.g. <c>policy.put</c> or <c>label.set</c>.</param>
    /// <param name="target">Only records about this target, e.g. <c>account:acct-1</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page; its <see cref="AuditPage.Next"/> is null on the last one.</returns>
    /// <exception cref="ReputationApiException">The service answered an error (400 names the bad parameter, 403 without operate).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<AuditPage> GetAuditAsync(int? limit = null, long? before = null, string? action = null, string? target = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync((Limit: limit, Before: before, Action: action, Target: target),
            static (api, q, key, ct) => api.GetAuditAsync(q.Limit, q.Before, q.Action, q.Target, key, ct), cancellationToken, notFoundIsNull: false))!;

    /// <summary>Imports a STIX 2.1 bundle of indicators (<c>POST /v1/intel/stix</c>, scope <c>operate</c>).</summary>
    /// <param name="bundle">The bundle, as read from a partner's file or feed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Counts of indicators imported, updated, unchanged, revoked and skipped (with a reason each).</returns>
    /// <exception cref="ReputationApiException">The service refused the bundle (400 names each bad object; 409 when the store is full).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<StixImportResult> ImportStixAsync(JsonObject bundle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return (await ReadAsync(bundle, static (api, b, key, ct) => api.ImportStixAsync(b, key, ct), cancellationToken, notFoundIsNull: false))!;
    }

    /// <summary>Exports this deployment's indicators as one STIX 2.1 bundle (<c>GET /v1/intel/stix</c>, scope <c>intel</c> or <c>read</c>).</summary>
    /// <param name="since">Every indicator modified since then, revoked ones included; null: the indicators in force.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bundle.</returns>
    /// <exception cref="ReputationApiException">The service answered an error.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<JsonObject> ExportStixAsync(DateTimeOffset? since = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync(since?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            static (api, s, key, ct) => api.ExportStixAsync(s, key, ct), cancellationToken, notFoundIsNull: false))!;

    /// <summary>Reads a policy's current version (<c>GET /v1/policies/{name}</c>, scope <c>read</c>).</summary>
    /// <param name="name">The policy's name; <c>default</c> is the live policy and always exists.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy and its version, or <see langword="null"/> if no policy of that name was ever saved (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<PolicyDocument?> GetPolicyAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        var (policy, version) = await ReadVersionedAsync(name, static (api, n, key, ct) => api.GetPolicyAsync(n, key, ct), cancellationToken);
        return policy is null ? null : new PolicyDocument(version ?? 0, policy);
    }

    /// <summary>Saves a new version of a policy (<c>PUT /v1/policies/{name}</c>, scope <c>operate</c>).</summary>
    /// <param name="name">The policy's name.</param>
    /// <param name="policy">The whole policy, as <see cref="GetPolicyAsync"/> returns it (its name and version are set by the service).</param>
    /// <param name="expectedVersion">The version it replaces (0 for a new policy).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The saved policy and its new version.</returns>
    /// <exception cref="ReputationApiException">400 naming each bad field, 412 when the policy changed since <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<PolicyDocument> SavePolicyAsync(string name, JsonObject policy, int expectedVersion, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        ArgumentNullException.ThrowIfNull(policy);
        var (saved, version) = await ReadVersionedAsync((Name: name, Policy: policy, IfMatch: $"\"{expectedVersion.ToString(CultureInfo.InvariantCulture)}\""),
            static (api, q, key, ct) => api.SavePolicyAsync(q.Name, q.Policy, q.IfMatch, key, ct), cancellationToken, notFoundIsNull: false);
        return new PolicyDocument(version ?? 0, saved!);
    }

    /// <summary>Reads a policy's saved versions, newest first (<c>GET /v1/policies/{name}/history</c>, scope <c>read</c>).</summary>
    /// <param name="name">The policy's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The last 100 versions, or <see langword="null"/> if no policy of that name was ever saved (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<IReadOnlyList<PolicyVersion>?> GetPolicyHistoryAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        return await ReadAsync(name, static (api, n, key, ct) => api.GetPolicyHistoryAsync(n, key, ct), cancellationToken);
    }

    /// <summary>Sets the candidate policy evaluated beside the live one (<c>PUT /v1/policies/{name}/shadow</c>, scope <c>operate</c>).</summary>
    /// <param name="name">The policy's name (only <c>default</c>).</param>
    /// <param name="policy">The candidate.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The candidate as set; a new report starts.</returns>
    /// <exception cref="ReputationApiException">400 naming each bad field.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public async Task<ShadowView> SetShadowPolicyAsync(string name, JsonObject policy, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        ArgumentNullException.ThrowIfNull(policy);
        return (await ReadAsync((Name: name, Policy: policy), static (api, q, key, ct) => api.SetShadowPolicyAsync(q.Name, q.Policy, key, ct), cancellationToken, notFoundIsNull: false))!;
    }

    /// <summary>Removes the candidate policy (<c>DELETE /v1/policies/{name}/shadow</c>, scope <c>operate</c>); decisions stop being decided under it. Audited.</summary>
    /// <param name="name">The policy's name (only <c>default</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it was removed, false when none was set (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404 (400 for a name other than <c>default</c>).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<bool> DeleteShadowPolicyAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        return DeleteAsync(name, static (api, n, key, ct) => api.DeleteShadowPolicyAsync(n, key, ct), cancellationToken);
    }

    /// <summary>
    /// Decides the silos' samples of recent decisions again under a candidate and the policy's current
    /// version (<c>POST /v1/policies/{name}/backtest</c>, scope <c>operate</c>). Nothing is saved. Audited.
    /// </summary>
    /// <param name="name">The policy the candidate is compared with (<c>default</c> is the live one).</param>
    /// <param name="policy">The candidate, a whole policy as <see cref="GetPolicyAsync"/> returns it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Counts by (current, candidate) outcome per kind, changed accounts and score histograms; <see langword="null"/> if no policy of that name was ever saved (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404 (400 naming each bad field of the candidate).</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<BacktestResult?> BacktestPolicyAsync(string name, JsonObject policy, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        ArgumentNullException.ThrowIfNull(policy);
        return ReadAsync((Name: name, Policy: policy), static (api, q, key, ct) => api.BacktestPolicyAsync(q.Name, q.Policy, key, ct), cancellationToken);
    }

    /// <summary>Reads what the candidate would have decided (<c>GET /v1/policies/{name}/shadow/report</c>, scope <c>read</c>).</summary>
    /// <param name="name">The policy's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report, or <see langword="null"/> if no candidate is set (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<ShadowReport?> GetShadowReportAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(name);
        return ReadAsync(name, static (api, n, key, ct) => api.GetShadowReportAsync(n, key, ct), cancellationToken);
    }

    /// <summary>Reads a campaign (<c>GET /v1/campaigns/{campaignId}</c>).</summary>
    /// <param name="campaignId">The campaign id, for example from <see cref="ListCampaignsAsync"/> or a decision's <c>CAMPAIGN</c> reason.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The campaign, or <see langword="null"/> if the service holds none by that id (404). A merged campaign's id answers with the campaign it joined.</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="campaignId"/> is empty, <c>.</c> or <c>..</c>.</exception>
    public Task<CampaignView?> GetCampaignAsync(string campaignId, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(campaignId);
        return ReadAsync(campaignId, static (api, id, key, ct) => api.GetCampaignAsync(id, key, ct), cancellationToken);
    }

    /// <summary>Reads an account's neighbourhood (<c>GET /v1/accounts/{accountId}/graph</c>).</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="depth">Hops from the account, 1-4 (2: its entities and their other accounts).</param>
    /// <param name="limit">Most nodes, 1-1000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The graph, or <see langword="null"/> if the account was never seen (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<GraphView?> GetAccountGraphAsync(string accountId, int depth = 2, int limit = 200, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(accountId);
        return ReadAsync((Id: accountId, Depth: depth, Limit: limit),
            static (api, q, key, ct) => api.GetAccountGraphAsync(q.Id, q.Depth, q.Limit, key, ct), cancellationToken);
    }

    /// <summary>Reads a prompt-template bucket's view (<c>GET /v1/prompt-templates/{bucket}</c>).</summary>
    /// <param name="bucket">The bucket key, for example <c>b0:3fa2</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, or <see langword="null"/> if no fingerprint was ever seen there (404).</returns>
    /// <exception cref="ReputationApiException">The service answered an error other than 404.</exception>
    /// <exception cref="HttpRequestException">The service could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ReputationClientOptions.ReadTimeout"/>.</exception>
    public Task<PromptTemplateView?> GetPromptTemplateAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAPathSegment(bucket);
        return ReadAsync(bucket, static (api, b, key, ct) => api.GetPromptTemplateAsync(b, key, ct), cancellationToken);
    }

    /// <summary>
    /// Refit escapes every character that matters, but System.Uri removes the dot segments <c>.</c> and
    /// <c>..</c> even when percent-encoded, so <c>GET /v1/accounts/..</c> would silently read <c>/v1/</c>.
    /// </summary>
    private static void ThrowIfNotAPathSegment(string id, [CallerArgumentExpression(nameof(id))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id, name);
        if (id is "." or "..")
        {
            throw new ArgumentException($"'{id}' cannot be sent as a URL path segment.", name);
        }
    }

    private async Task<DecisionResult<TResponse>> DecideAsync<TRequest, TResponse>(
        string kind,
        TRequest request,
        Func<IReputationApi, TRequest, string, CancellationToken, Task<IApiResponse<TResponse>>> send,
        Func<ReputationClient, TRequest, TResponse> fallback,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        string cause;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(_decisionTimeout);
            try
            {
                using var response = await send(_api, request, _apiKey, deadline.Token);
                if (response.IsSuccessful && response.Content is { } decision)
                {
                    return new DecisionResult<TResponse>(decision);
                }

                cause = GetFallbackCause(response, cancellationToken);
            }
            catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The caller cancelled the decision.", ex, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                cause = FallbackCauses.Timeout;
            }
            catch (HttpRequestException)
            {
                cause = FallbackCauses.Unreachable;
            }
        }

        _logger.DecisionFellBack(kind, cause);
        return new DecisionResult<TResponse>(fallback(this, request), cause);
    }

    /// <summary>Why a decision falls back; throws for the answers that are the caller's bug.</summary>
    private static string GetFallbackCause<T>(IApiResponse<T> response, CancellationToken cancellationToken)
    {
        if (!response.IsReceived)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return IsTimeout(response.Error) ? FallbackCauses.Timeout : FallbackCauses.Unreachable;
        }

        var status = response.StatusCode ?? 0;
        if (IsServiceFailure(status))
        {
            return FallbackCauses.Http((int)status);
        }

        if (response.IsSuccessStatusCode)
        {
            // The status arrived but the deadline cut the body short: that is a timeout, not a bad answer.
            cancellationToken.ThrowIfCancellationRequested();
            return IsTimeout(response.Error) ? FallbackCauses.Timeout : FallbackCauses.InvalidResponse;
        }

        throw CreateApiException(response);
    }

    /// <summary>A DELETE: true when done, false on 404, else the error thrown with its problem.</summary>
    private async Task<bool> DeleteAsync<TKey>(TKey key, Func<IReputationApi, TKey, string, CancellationToken, Task<IApiResponse>> send, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_readTimeout);
        try
        {
            using var response = await send(_api, key, _apiKey, deadline.Token);
            if (response.IsSuccessful)
            {
                return true;
            }

            if (response.IsReceived && response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            throw CreateApiException(response);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The reputation service did not answer within {_readTimeout}.", ex);
        }
    }

    /// <summary>A read (or an operator call answered at once): null on 404 when <paramref name="notFoundIsNull"/>, else the error thrown with its problem.</summary>
    private async Task<TView?> ReadAsync<TKey, TView>(
        TKey key,
        Func<IReputationApi, TKey, string, CancellationToken, Task<IApiResponse<TView>>> send,
        CancellationToken cancellationToken,
        bool notFoundIsNull = true)
        where TView : class =>
        (await ReadVersionedAsync(key, send, cancellationToken, notFoundIsNull)).View;

    /// <summary>A read, and the version its ETag names (a policy's), if it has one.</summary>
    private async Task<(TView? View, int? Version)> ReadVersionedAsync<TKey, TView>(
        TKey key,
        Func<IReputationApi, TKey, string, CancellationToken, Task<IApiResponse<TView>>> send,
        CancellationToken cancellationToken,
        bool notFoundIsNull = true)
        where TView : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_readTimeout);
        try
        {
            using var response = await send(_api, key, _apiKey, deadline.Token);
            if (response.IsSuccessful && response.Content is { } view)
            {
                var version = int.TryParse(response.Headers.ETag?.Tag.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null;
                return (view, version);
            }

            if (notFoundIsNull && response.IsReceived && response.StatusCode == HttpStatusCode.NotFound)
            {
                return (null, null);
            }

            throw ToException(response, typeof(TView).Name, cancellationToken);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The reputation service did not answer within {_readTimeout}.", ex);
        }
    }

    private ResiliencePipeline<IApiResponse<EventBatchResult>> BuildIngestPipeline()
    {
        var builder = new ResiliencePipelineBuilder<IApiResponse<EventBatchResult>>();
        if (_ingestMaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<IApiResponse<EventBatchResult>>
            {
                MaxRetryAttempts = _ingestMaxRetries,
                Delay = _ingestRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnRetry = args =>
                {
                    _logger.IngestRetrying(args.AttemptNumber + 1, DescribeFailure(args.Outcome), args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Inside the retry, so the deadline is per attempt and a timed-out attempt is retried.
        return builder.AddTimeout(_ingestTimeout).Build();
    }

    private static bool IsTransient(Outcome<IApiResponse<EventBatchResult>> outcome) =>
        outcome.Exception is { } exception
            ? exception is HttpRequestException or TimeoutRejectedException
            : outcome.Result is { } response && (!response.IsReceived || IsServiceFailure(response.StatusCode ?? 0));

    private static string DescribeFailure(Outcome<IApiResponse<EventBatchResult>> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => FallbackCauses.Timeout,
        { Exception: { } exception } => exception.GetType().Name,
        { Result.IsReceived: false } => FallbackCauses.Unreachable,
        { Result: { } response } => FallbackCauses.Http((int)(response.StatusCode ?? 0)),
        _ => "unknown",
    };

    /// <summary>5xx, or 408/429: the service (or a proxy before it) cannot answer now; the request itself may be fine.</summary>
    private static bool IsServiceFailure(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static bool IsTimeout(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exception for a failed ingest or read.</summary>
    private static Exception ToException<T>(IApiResponse<T> response, string expected, CancellationToken cancellationToken)
    {
        if (!response.IsReceived)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Unwrap Refit's ApiRequestException: it holds the request, API key header included.
            var cause = response.Error?.InnerException ?? response.Error;
            if (IsTimeout(cause))
            {
                return new TimeoutException("The reputation service did not answer in time.", cause);
            }

            return cause is SocketException or HttpRequestException
                ? new HttpRequestException($"The reputation service could not be reached: {cause.Message}", cause)
                : new HttpRequestException("The reputation service could not be reached.", cause);
        }

        var status = response.StatusCode ?? 0;
        return response.IsSuccessStatusCode
            ? new ReputationApiException(status, null, $"The reputation service answered {(int)status} without {expected} in the body.")
            : CreateApiException(response);
    }

    private static ReputationApiException CreateApiException(IApiResponse response) =>
        new(response.StatusCode ?? 0, ReputationProblem.TryParse((response.Error as ApiException)?.Content));
}
