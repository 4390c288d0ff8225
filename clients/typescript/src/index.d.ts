/** The prompt's 64-bit fingerprint as 16 lowercase hex digits; equals C#'s PromptFingerprint.Compute. "0000000000000000" for an empty or blank prompt. */
export function promptFingerprint(prompt: string): string;
/** The normalised template text of a prompt (docs/prompt-fingerprints.md, section 1). */
export function normalize(prompt: string): string;
/** The fingerprint as a 64-bit unsigned bigint. */
export function simhash(prompt: string): bigint;
/** The four LSH bucket keys of a fingerprint, band 0 first: `b0:3fa2`. */
export function bucketKeys(fingerprint: string | bigint): string[];
/** Hamming distance of two fingerprints, 0-64. */
export function distance(a: string | bigint, b: string | bigint): number;
export const BANDS: 4;
export const BITS_PER_BAND: 16;

/** How strongly the prompt asks for reasoning, in [0, 1]; equals C#'s ReasoningElicitation.Score exactly. */
export function reasoningElicitation(prompt: string): number;
/** The names of the elicitation rules the prompt matches, in table order. */
export function elicitationMatches(prompt: string): string[];

export type SignupDecision = 'allow' | 'review' | 'challenge' | 'deny';
export type RequestDecision = 'allow' | 'throttle' | 'degrade' | 'block';
export type BillingDecision = 'allow' | 'hold' | 'deny';

export interface Reason { code: string; contribution: number; detail?: string }

export interface DecisionResponse<D extends string> {
  accountId: string;
  decision: D;
  score: number;
  reasons: Reason[];
  policyVersion: number;
  [field: string]: unknown;
}

/** What the gateway does to a degraded (or, where the policy says so, throttled) account's answers (docs/gateway-contract.md). */
export type ResponseMode = 'summarizeReasoning' | 'withholdReasoning' | 'fallbackModel' | 'perturb';

export interface GatewayResponse {
  mode: ResponseMode;
  /** fallbackModel: the model to answer with. */
  model?: string;
  /** perturb: how much, 0 to 1. */
  level?: number;
}

export interface RequestDecisionResponse extends DecisionResponse<RequestDecision> {
  requestsPerMinute: number;
  cacheTtlSeconds: number;
  /** On every decision other than allow: when the account's hold ends unless renewed or released (RFC 3339); absent on allow and on a fallback. */
  holdUntil?: string;
  /** On every degrade, and on a throttle where the policy has a rule for it: what to do to the answers. */
  response?: GatewayResponse;
  /** On degrade: the id of the key to watermark the answers with, one per campaign (per account before one forms). An id, not a secret. */
  watermarkKeyId?: string;
  /** True on the last decision given again while the account's cluster member is unreachable (cacheTtlSeconds is then at most 1); absent otherwise. */
  stale?: boolean;
}

export interface DecisionResult<R extends DecisionResponse<string>> {
  response: R;
  decision: R['decision'];
  /** True when the service could not answer (unreachable, too slow, 408/429/5xx) and the configured fallback is returned. */
  isFallback: boolean;
  /** `timeout`, `unreachable`, `invalid response` or `http 503` and the like; null for a real answer. */
  fallbackCause: string | null;
}

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Default 250. */
  decisionTimeoutMs?: number;
  /** Per attempt; default 10,000. */
  ingestTimeoutMs?: number;
  /** Default 3. */
  ingestMaxRetries?: number;
  /** Doubles per retry; default 200. */
  ingestRetryDelayMs?: number;
  /** Default 'review'. */
  fallbackSignupDecision?: SignupDecision;
  /** Default 'allow' (fail open). */
  fallbackRequestDecision?: RequestDecision;
  /** Default 'hold'. */
  fallbackBillingDecision?: BillingDecision;
  /** Default 600. */
  fallbackRequestsPerMinute?: number;
  /** Default 5. */
  fallbackCacheTtlSeconds?: number;
}

export interface UsageEvent {
  id: string;
  type: 'usage';
  accountId: string;
  occurredAt: string;
  ip: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  promptFingerprints?: string[];
  reasoningElicitation?: number;
  model?: string;
}

export interface EventBatchResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id: string; error: string }[];
}

export class ReputationApiError extends Error {
  readonly status: number;
  readonly problem: unknown;
}

export const API_KEY_HEADER: 'X-Api-Key';

export class ReputationClient {
  constructor(options: ClientOptions);
  decideRequest(accountId: string, ip: string, model?: string): Promise<DecisionResult<RequestDecisionResponse>>;
  decideSignup(accountId: string, ip: string, fields?: Record<string, unknown>): Promise<DecisionResult<DecisionResponse<SignupDecision>>>;
  decideBilling(accountId: string, paymentFingerprint: string, amountMinor: number, currency: string): Promise<DecisionResult<DecisionResponse<BillingDecision>>>;
  ingest(events: object[]): Promise<EventBatchResult>;
  getAccount(accountId: string, timeoutMs?: number): Promise<Record<string, unknown> | null>;
}

export interface UsageBufferOptions {
  /** For start(); default 1000. */
  flushIntervalMs?: number;
  /** Summaries held at most (open, or waiting to be sent); past it new ones are dropped and counted. Default 100,000. */
  maxPendingSummaries?: number;
  /** Events per call, 1-1000; default 1000. */
  maxBatchSize?: number;
  /** The clock in milliseconds (tests move it); Date.now by default. */
  now?: () => number;
}

export interface RecordOptions { prompt?: string | null; inputTokens?: number; outputTokens?: number; model?: string | null }

export const MAX_FINGERPRINTS: 64;
export function usageEventId(second: number, ip: string): string;

export class UsageBuffer {
  constructor(client: { ingest(events: UsageEvent[]): Promise<EventBatchResult> }, options?: UsageBufferOptions);
  readonly sent: number;
  readonly dropped: number;
  readonly failedFlushes: number;
  record(accountId: string, ip: string, options?: RecordOptions): void;
  flush(options?: { all?: boolean }): Promise<void>;
  start(): this;
  close(): Promise<void>;
}
