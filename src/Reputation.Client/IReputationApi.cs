using System.Text.Json.Nodes;
using Refit;
using Reputation.Contracts;

namespace Reputation.Client;

/// <summary>
/// The raw REST contract v1 of the reputation service, as a source-generated Refit client.
/// </summary>
/// <remarks>
/// Every method returns the whole <see cref="IApiResponse{T}"/> so a caller sees the status code and
/// the problem+json body of a failure instead of an exception. Path segments are URL-escaped by Refit,
/// so account ids and fingerprints may contain any character. The API key travels per request in
/// the <c>X-Api-Key</c> header (an argument of each method), never in shared client state.
/// Most callers want <see cref="ReputationClient"/>, which adds timeouts, fallbacks and retries.
/// </remarks>
public interface IReputationApi
{
    /// <summary><c>POST /v1/decisions/signup</c> (scope <c>decide</c>): decides on a signup and records it.</summary>
    /// <param name="request">The signup.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the decision when the call succeeded.</returns>
    [Post("/v1/decisions/signup")]
    Task<IApiResponse<SignupDecisionResponse>> DecideSignupAsync(
        [Body(buffered: true)] SignupDecisionRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/decisions/request</c> (scope <c>decide</c>): the rate-limiter decision; read-only.</summary>
    /// <param name="request">The request to decide on.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the decision when the call succeeded.</returns>
    [Post("/v1/decisions/request")]
    Task<IApiResponse<RequestDecisionResponse>> DecideRequestAsync(
        [Body(buffered: true)] RequestDecisionRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/decisions/billing</c> (scope <c>decide</c>): decides on a charge.</summary>
    /// <param name="request">The charge.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the decision when the call succeeded.</returns>
    [Post("/v1/decisions/billing")]
    Task<IApiResponse<BillingDecisionResponse>> DecideBillingAsync(
        [Body(buffered: true)] BillingDecisionRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/events</c> (scope <c>ingest</c>): ingests 1 to 1000 events; answers 202.</summary>
    /// <param name="batch">The events; each event's id is its idempotency key.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content counts accepted, duplicate and rejected events.</returns>
    [Post("/v1/events")]
    Task<IApiResponse<EventBatchResult>> IngestAsync(
        [Body(buffered: true)] EventBatch batch,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/accounts/{accountId}</c> (scope <c>read</c>): the account view; 404 if never seen.</summary>
    /// <param name="accountId">The account id (escaped into the path).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the view when the call succeeded.</returns>
    [Get("/v1/accounts/{accountId}")]
    Task<IApiResponse<AccountView>> GetAccountAsync(
        string accountId,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /v1/accounts/{accountId}</c> (scope <c>operate</c>): erases the account; 404 if never seen or already erased.</summary>
    /// <param name="accountId">The account id (escaped into the path).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content says what was erased when the call succeeded.</returns>
    [Delete("/v1/accounts/{accountId}")]
    Task<IApiResponse<ErasureResult>> EraseAccountAsync(
        string accountId,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/accounts/{accountId}/release</c> (scope <c>operate</c>): ends the account's hold and records a cleared label; 404 if never seen.</summary>
    /// <param name="accountId">The account id (escaped into the path).</param>
    /// <param name="request">The reason.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content says what the release did when the call succeeded.</returns>
    [Post("/v1/accounts/{accountId}/release")]
    Task<IApiResponse<ReleaseResult>> ReleaseAccountAsync(
        string accountId,
        [Body(buffered: true)] ReleaseRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/watermarks/{keyId}</c> (scope <c>operate</c>): whom a watermark key was issued to; 404 if never issued.</summary>
    /// <param name="keyId">The key id, <c>wm-</c> and 16 hex digits.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the key's record when the call succeeded.</returns>
    [Get("/v1/watermarks/{keyId}")]
    Task<IApiResponse<WatermarkView>> GetWatermarkAsync(
        string keyId,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/review</c> (scope <c>operate</c>): held accounts and campaigns, highest score first, then the newest hold.</summary>
    /// <param name="limit">Items per page, 1-100; the service's default (20) when null.</param>
    /// <param name="after">The <c>next</c> of the previous page; null for the first page.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the page when the call succeeded.</returns>
    [Get("/v1/review")]
    Task<IApiResponse<ReviewPage>> ListReviewAsync(
        [Query] int? limit,
        [Query] string? after,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>PUT /v1/webhooks/{name}</c> (scope <c>operate</c>): creates or replaces a webhook.</summary>
    /// <param name="name">The webhook's name.</param>
    /// <param name="request">URL, secret and events.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the webhook (without its secret) when the call succeeded.</returns>
    [Put("/v1/webhooks/{name}")]
    Task<IApiResponse<WebhookView>> PutWebhookAsync(
        string name,
        [Body(buffered: true)] WebhookRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /v1/webhooks/{name}</c> (scope <c>operate</c>): removes a webhook; 404 if none.</summary>
    /// <param name="name">The webhook's name.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    [Delete("/v1/webhooks/{name}")]
    Task<IApiResponse> DeleteWebhookAsync(
        string name,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/webhooks/{name}/deliveries</c> (scope <c>operate</c>): the delivery log; 404 if no such webhook.</summary>
    /// <param name="name">The webhook's name.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the log when the call succeeded.</returns>
    [Get("/v1/webhooks/{name}/deliveries")]
    Task<IApiResponse<WebhookDeliveryLog>> GetWebhookDeliveriesAsync(
        string name,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/ip-ranges/{network}/{prefixLength}</c> (scope <c>read</c>): the IP range view.</summary>
    /// <param name="network">The network address of the range, for example <c>198.51.100.0</c> or <c>2001:db8::</c>.</param>
    /// <param name="prefixLength">The prefix length, for example 24 or 64.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the view when the call succeeded.</returns>
    [Get("/v1/ip-ranges/{network}/{prefixLength}")]
    Task<IApiResponse<IpRangeView>> GetIpRangeAsync(
        string network,
        int prefixLength,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/payment-instruments/{fingerprint}</c> (scope <c>read</c>): the payment instrument view.</summary>
    /// <param name="fingerprint">The payment fingerprint token (escaped into the path).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the view when the call succeeded.</returns>
    [Get("/v1/payment-instruments/{fingerprint}")]
    Task<IApiResponse<PaymentInstrumentView>> GetPaymentInstrumentAsync(
        string fingerprint,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/labels</c> (scope operate).</summary>
    /// <param name="request">The label.</param>
    /// <param name="apiKey">The API key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The raw response.</returns>
    [Post("/v1/labels")]
    Task<IApiResponse<LabelResponse>> SetLabelAsync(
        [Body(buffered: true)] LabelRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/keys/{keyName}/void</c> (scope operate): voids the events one API key sent.</summary>
    /// <param name="keyName">The key's configured name (escaped into the path).</param>
    /// <param name="request">The window and the reason.</param>
    /// <param name="apiKey">The API key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The raw response.</returns>
    [Post("/v1/keys/{keyName}/void")]
    Task<IApiResponse<VoidKeyResult>> VoidKeyEventsAsync(
        string keyName,
        [Body(buffered: true)] VoidKeyRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/accounts/{accountId}/graph</c> (scope read).</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="depth">Hops, 1-4.</param>
    /// <param name="limit">Most nodes, 1-1000.</param>
    /// <param name="apiKey">The API key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The raw response.</returns>
    [Get("/v1/accounts/{accountId}/graph")]
    Task<IApiResponse<GraphView>> GetAccountGraphAsync(
        string accountId,
        [Query] int depth,
        [Query] int limit,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/campaigns</c> (scope <c>read</c>): campaigns largest first, then newest, a page at a time.</summary>
    /// <param name="limit">Campaigns per page, 1-100; the service's default (20) when null.</param>
    /// <param name="after">The <c>next</c> of the previous page; null for the first page.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the page when the call succeeded.</returns>
    [Get("/v1/campaigns")]
    Task<IApiResponse<CampaignPage>> ListCampaignsAsync(
        [Query] int? limit,
        [Query] string? after,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/lists/{list}</c> (scope <c>operate</c>): a page of the allow or deny list.</summary>
    /// <param name="list"><c>allow</c> or <c>deny</c>.</param>
    /// <param name="limit">Entries per page.</param>
    /// <param name="after">The previous page's <c>next</c> cursor.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the page when the call succeeded.</returns>
    [Get("/v1/lists/{list}")]
    Task<IApiResponse<ListPage>> ListEntriesAsync(
        string list,
        [Query] int? limit,
        [Query] string? after,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/audit</c> (scope <c>operate</c>): a page of the audit log, newest first.</summary>
    /// <param name="limit">Records per page, 1-500.</param>
    /// <param name="before">The previous page's <c>next</c> cursor.</param>
    /// <param name="action">Only this action (e.g. <c>policy.put</c>).</param>
    /// <param name="target">Only this target (e.g. <c>account:acct-1</c>).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the page when the call succeeded.</returns>
    [Get("/v1/audit")]
    Task<IApiResponse<AuditPage>> GetAuditAsync(
        [Query] int? limit,
        [Query] long? before,
        [Query] string? action,
        [Query] string? target,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/intel/stix</c> (scope <c>operate</c>): imports a STIX 2.1 bundle.</summary>
    /// <param name="bundle">The bundle.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is what was imported, updated, revoked and skipped.</returns>
    [Post("/v1/intel/stix")]
    Task<IApiResponse<StixImportResult>> ImportStixAsync(
        [Body] JsonObject bundle,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/intel/stix</c> (scope <c>intel</c> or <c>read</c>): this deployment's indicators as one STIX 2.1 bundle.</summary>
    /// <param name="since">RFC 3339: every indicator modified since, revoked ones included; null: those in force.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the bundle.</returns>
    [Get("/v1/intel/stix")]
    Task<IApiResponse<JsonObject>> ExportStixAsync(
        [Query] string? since,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/policies/{name}</c> (scope <c>read</c>): the current version; its ETag is the version.</summary>
    /// <param name="name">The policy's name (<c>default</c> is the live one).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the policy.</returns>
    [Get("/v1/policies/{name}")]
    Task<IApiResponse<JsonObject>> GetPolicyAsync(string name, [Header(ReputationClient.ApiKeyHeaderName)] string apiKey, CancellationToken cancellationToken = default);

    /// <summary><c>PUT /v1/policies/{name}</c> (scope <c>operate</c>): saves a new version if <paramref name="ifMatch"/> names the current one.</summary>
    /// <param name="name">The policy's name.</param>
    /// <param name="policy">The whole policy.</param>
    /// <param name="ifMatch">The current version's ETag (the version in quotes).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the saved policy and its ETag the new version.</returns>
    [Put("/v1/policies/{name}")]
    Task<IApiResponse<JsonObject>> SavePolicyAsync(string name, [Body] JsonObject policy, [Header("If-Match")] string ifMatch,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey, CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/policies/{name}/history</c> (scope <c>read</c>): saved versions, newest first.</summary>
    /// <param name="name">The policy's name.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the versions.</returns>
    [Get("/v1/policies/{name}/history")]
    Task<IApiResponse<List<PolicyVersion>>> GetPolicyHistoryAsync(string name, [Header(ReputationClient.ApiKeyHeaderName)] string apiKey, CancellationToken cancellationToken = default);

    /// <summary><c>PUT /v1/policies/{name}/shadow</c> (scope <c>operate</c>): sets the candidate evaluated beside the live policy.</summary>
    /// <param name="name">The policy's name (only <c>default</c>).</param>
    /// <param name="policy">The candidate policy.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the candidate as set.</returns>
    [Put("/v1/policies/{name}/shadow")]
    Task<IApiResponse<ShadowView>> SetShadowPolicyAsync(string name, [Body] JsonObject policy, [Header(ReputationClient.ApiKeyHeaderName)] string apiKey, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /v1/policies/{name}/shadow</c> (scope <c>operate</c>): removes the candidate; 404 if none is set.</summary>
    /// <param name="name">The policy's name (only <c>default</c>).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    [Delete("/v1/policies/{name}/shadow")]
    Task<IApiResponse> DeleteShadowPolicyAsync(string name, [Header(ReputationClient.ApiKeyHeaderName)] string apiKey, CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/policies/{name}/backtest</c> (scope <c>operate</c>): decides the silos' sampled decisions again under a candidate.</summary>
    /// <param name="name">The policy the candidate is compared with.</param>
    /// <param name="policy">The candidate policy.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the backtest when the call succeeded.</returns>
    [Post("/v1/policies/{name}/backtest")]
    Task<IApiResponse<BacktestResult>> BacktestPolicyAsync(string name, [Body] JsonObject policy, [Header(ReputationClient.ApiKeyHeaderName)] string apiKey, CancellationToken cancellationToken = default);

    /// <summary><c>PUT /v1/lists/{list}/{entityType}/{entityId}</c> (scope <c>operate</c>): puts an entity on the allow or deny list.</summary>
    /// <param name="list"><c>allow</c> or <c>deny</c>.</param>
    /// <param name="entityType"><c>account</c>, <c>payment-instrument</c>, <c>ip-range</c> or <c>prompt-template</c>.</param>
    /// <param name="entityId">The entity's id; an IP range as <c>network/prefixLength</c> (its slash is kept).</param>
    /// <param name="request">Reason and expiry.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the entry when the call succeeded.</returns>
    [Put("/v1/lists/{list}/{entityType}/{**entityId}")]
    Task<IApiResponse<ListEntry>> PutListEntryAsync(
        string list,
        string entityType,
        string entityId,
        [Body(buffered: true)] ListEntryRequest request,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /v1/lists/{list}/{entityType}/{entityId}</c> (scope <c>operate</c>): removes an entity from a list; 404 if it is not on it.</summary>
    /// <param name="list"><c>allow</c> or <c>deny</c>.</param>
    /// <param name="entityType">The entity's kind, as for PUT.</param>
    /// <param name="entityId">The entity's id, as for PUT.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    [Delete("/v1/lists/{list}/{entityType}/{**entityId}")]
    Task<IApiResponse> DeleteListEntryAsync(
        string list,
        string entityType,
        string entityId,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/policies/{name}/shadow/report</c> (scope <c>read</c>): what the candidate would have decided.</summary>
    /// <param name="name">The policy's name.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the report.</returns>
    [Get("/v1/policies/{name}/shadow/report")]
    Task<IApiResponse<ShadowReport>> GetShadowReportAsync(string name, [Header(ReputationClient.ApiKeyHeaderName)] string apiKey, CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/campaigns/{campaignId}</c> (scope <c>read</c>): one campaign; 404 if the service holds none by that id.</summary>
    /// <param name="campaignId">The campaign id (<c>cmp-</c> and 16 hex digits).</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response; its content is the campaign when the call succeeded.</returns>
    [Get("/v1/campaigns/{campaignId}")]
    Task<IApiResponse<CampaignView>> GetCampaignAsync(
        string campaignId,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/prompt-templates/{bucket}</c> (scope read).</summary>
    /// <param name="bucket">The bucket key, for example <c>b0:3fa2</c>.</param>
    /// <param name="apiKey">The API key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The raw response.</returns>
    [Get("/v1/prompt-templates/{bucket}")]
    Task<IApiResponse<PromptTemplateView>> GetPromptTemplateAsync(
        string bucket,
        [Header(ReputationClient.ApiKeyHeaderName)] string apiKey,
        CancellationToken cancellationToken = default);
}
