// Decide and ingest calls over the REST contract v1, with timeouts and a configured fallback.

export const API_KEY_HEADER = 'X-Api-Key';

/** The service answered an error: a 4xx (a bug of the caller), or a 5xx once ingest retries are spent. */
export class ReputationApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.name = 'ReputationApiError';
    this.status = status;
    this.problem = problem;
  }
}

const DEFAULTS = {
  decisionTimeoutMs: 250,
  ingestTimeoutMs: 10_000,
  ingestMaxRetries: 3,
  ingestRetryDelayMs: 200,
  fallbackSignupDecision: 'review',
  fallbackRequestDecision: 'allow',
  fallbackBillingDecision: 'hold',
  fallbackRequestsPerMinute: 600,
  fallbackCacheTtlSeconds: 5,
};

const isServiceFailure = (status) => status === 408 || status === 429 || status >= 500;

export class ReputationClient {
  /** @param {import('./index.js').ClientOptions} options */
  constructor(options) {
    if (!/^https?:\/\//.test(options?.baseUrl ?? '')) throw new TypeError('baseUrl must be an absolute http or https URL');
    if (!options.apiKey) throw new TypeError('apiKey is required');
    this.options = { ...DEFAULTS, ...options };
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  /** The rate limiter's decision for one request (`POST /v1/decisions/request`). Never throws for an unreachable, slow or failing service. */
  decideRequest(accountId, ip, model) {
    const o = this.options;
    return this.#decide('request', { accountId, ip, ...(model == null ? {} : { model }) }, {
      accountId, decision: o.fallbackRequestDecision, score: 0, reasons: [],
      requestsPerMinute: o.fallbackRequestsPerMinute, cacheTtlSeconds: o.fallbackCacheTtlSeconds, policyVersion: 0,
    });
  }

  /** The signup decision (`POST /v1/decisions/signup`); `fields`: email, paymentFingerprint, deviceId, country, ... */
  decideSignup(accountId, ip, fields = {}) {
    return this.#decide('signup', { accountId, ip, ...fields }, {
      accountId, decision: this.options.fallbackSignupDecision, score: 0, reasons: [], policyVersion: 0,
    });
  }

  /** The billing decision for one charge (`POST /v1/decisions/billing`). */
  decideBilling(accountId, paymentFingerprint, amountMinor, currency) {
    return this.#decide('billing', { accountId, paymentFingerprint, amountMinor, currency }, {
      accountId, decision: this.options.fallbackBillingDecision, score: 0, reasons: [], policyVersion: 0,
    });
  }

  async #decide(kind, body, fallback) {
    const outcome = await this.#post(`/v1/decisions/${kind}`, body, this.options.decisionTimeoutMs);
    if (outcome.ok) return { response: outcome.body, decision: outcome.body.decision, isFallback: false, fallbackCause: null };
    if (outcome.status && !isServiceFailure(outcome.status)) {
      throw new ReputationApiError(outcome.status, outcome.body, `the service refused the ${kind} decision: HTTP ${outcome.status}`);
    }
    return { response: fallback, decision: fallback.decision, isFallback: true, fallbackCause: outcome.cause };
  }

  /**
   * Sends 1 to 1000 events (`POST /v1/events`); retries connection failures, timeouts, 408, 429 and 5xx
   * with the same event ids (the service counts an id once). Resolves to `{accepted, duplicates, rejected}`.
   */
  async ingest(events) {
    if (!Array.isArray(events) || events.length < 1 || events.length > 1000) throw new RangeError('a batch holds 1 to 1000 events');
    const o = this.options;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#post('/v1/events', { events }, o.ingestTimeoutMs);
      if (outcome.ok) return outcome.body;
      const retryable = !outcome.status || isServiceFailure(outcome.status);
      if (!retryable || attempt >= o.ingestMaxRetries) {
        if (outcome.status) throw new ReputationApiError(outcome.status, outcome.body, `ingest failed: HTTP ${outcome.status}`);
        throw new Error(`ingest failed after ${attempt + 1} attempt(s): ${outcome.cause}`);
      }
      await new Promise((resolve) => setTimeout(resolve, o.ingestRetryDelayMs * 2 ** attempt));
    }
  }

  /** An account's view (`GET /v1/accounts/{accountId}`, read scope), or null if it was never seen. */
  async getAccount(accountId, timeoutMs = 5000) {
    const response = await fetch(`${this.base}/v1/accounts/${encodeURIComponent(accountId)}`, {
      headers: { Accept: 'application/json', [API_KEY_HEADER]: this.options.apiKey },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 404) return null;
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ReputationApiError(response.status, body, `reading the account failed: HTTP ${response.status}`);
    return body;
  }

  async #post(path, body, timeoutMs) {
    let response;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      response = await fetch(this.base + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', [API_KEY_HEADER]: this.options.apiKey },
        body: JSON.stringify(body),
        signal,
      });
    } catch {
      return { ok: false, status: 0, cause: signal.aborted ? 'timeout' : 'unreachable' };
    }
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      if (response.ok) return { ok: false, status: 0, cause: signal.aborted ? 'timeout' : 'invalid response' };
    }
    if (response.ok) return { ok: true, body: parsed };
    return { ok: false, status: response.status, body: parsed, cause: `http ${response.status}` };
  }
}
