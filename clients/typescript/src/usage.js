// A gateway's usage buffer: one usage event per account, second and IP address, sent in batches.
// A port of Reputation.Client.UsageBuffer. Recording never touches the network; summaries of seconds
// that are over are sent by flush() (call it yourself, or start() a timer that does every
// flushIntervalMs). Event ids are derived from (account, second, address), so a summary sent again
// after a failure counts once.

import { reasoningElicitation } from './elicitation.js';
import { promptFingerprint } from './fingerprint.js';
import { isBlank } from './text.js';
import { xxh32 } from './xxhash.js';

export const MAX_FINGERPRINTS = 64;
const encoder = new TextEncoder();

/** `u-{second}-{xxHash32 of the address's UTF-8, 8 hex digits}`: the same summary always gets the same id. */
export function usageEventId(second, ip) {
  return `u-${second}-${xxh32(encoder.encode(ip)).toString(16).padStart(8, '0')}`;
}

function roundHalfEven4(value) {
  const scaled = value * 10000;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded / 10000;
}

class Summary {
  requests = 0;
  input = 0;
  output = 0;
  fingerprints = [];
  elicitationSum = 0;
  scored = 0;
  models = new Map();

  add(fingerprint, elicitation, inputTokens, outputTokens, model) {
    this.requests++;
    this.input += Math.max(0, inputTokens);
    this.output += Math.max(0, outputTokens);
    if (fingerprint !== null && this.fingerprints.length < MAX_FINGERPRINTS && !this.fingerprints.includes(fingerprint)) {
      this.fingerprints.push(fingerprint);
    }
    if (elicitation !== null) {
      this.elicitationSum += elicitation;
      this.scored++;
    }
    if (model != null) this.models.set(model, (this.models.get(model) ?? 0) + 1);
  }

  toEvent(accountId, second, ip) {
    const event = {
      id: usageEventId(second, ip),
      type: 'usage',
      accountId,
      occurredAt: new Date(second * 1000).toISOString().slice(0, 19) + '+00:00',
      ip,
      requests: this.requests,
      inputTokens: this.input,
      outputTokens: this.output,
    };
    if (this.fingerprints.length > 0) event.promptFingerprints = [...this.fingerprints];
    if (this.scored > 0) event.reasoningElicitation = roundHalfEven4(Math.min(Math.max(this.elicitationSum / this.scored, 0), 1));
    if (this.models.size > 0) {
      let best = null;
      for (const [model, count] of this.models) if (best === null || count > best[1]) best = [model, count]; // the first seen wins a tie
      event.model = best[0];
    }
    return event;
  }
}

export class UsageBuffer {
  #client;
  #open = new Map();
  #ready = [];
  #flushing = Promise.resolve();
  #timer = null;

  /**
   * @param {{ ingest(events: object[]): Promise<{accepted: number, duplicates: number, rejected: unknown[]}> }} client
   * @param {import('./index.js').UsageBufferOptions} [options]
   */
  constructor(client, { flushIntervalMs = 1000, maxPendingSummaries = 100_000, maxBatchSize = 1000, now = Date.now } = {}) {
    if (!(maxBatchSize >= 1 && maxBatchSize <= 1000)) throw new RangeError('maxBatchSize must be 1 to 1000');
    this.#client = client;
    this.flushIntervalMs = flushIntervalMs;
    this.maxPendingSummaries = maxPendingSummaries;
    this.maxBatchSize = maxBatchSize;
    this.now = now;
    this.sent = 0;
    this.dropped = 0;
    this.failedFlushes = 0;
  }

  /** Records one model request of an account, now. The prompt is fingerprinted and scored here, never sent. */
  record(accountId, ip, { prompt = null, inputTokens = 0, outputTokens = 0, model = null } = {}) {
    if (!accountId || !ip) throw new TypeError('accountId and ip are required');
    const blank = prompt == null || isBlank(prompt);
    const fingerprint = blank ? null : promptFingerprint(prompt);
    const elicitation = blank ? null : reasoningElicitation(prompt);
    const second = Math.floor(this.now() / 1000);
    const key = JSON.stringify([accountId, second, ip]);
    let entry = this.#open.get(key);
    if (entry === undefined) {
      if (this.#open.size + this.#ready.length >= this.maxPendingSummaries) {
        this.dropped++;
        return;
      }
      entry = { accountId, second, ip, summary: new Summary() };
      this.#open.set(key, entry);
    }
    entry.summary.add(fingerprint, elicitation, inputTokens, outputTokens, model);
  }

  /**
   * Sends the summaries of every second that is over (with `all`, of every second). On a failure the
   * unsent summaries stay and the promise rejects; the next flush sends them again with the same ids.
   */
  flush({ all = false } = {}) {
    const run = this.#flushing.catch(() => {}).then(() => this.#flushOnce(all));
    this.#flushing = run;
    return run;
  }

  async #flushOnce(all) {
    const now = Math.floor(this.now() / 1000);
    for (const [key, entry] of this.#open) {
      if (all || entry.second < now) {
        this.#ready.push(entry.summary.toEvent(entry.accountId, entry.second, entry.ip));
        this.#open.delete(key);
      }
    }
    const batch = [...this.#ready];
    for (let i = 0; i < batch.length; i += this.maxBatchSize) {
      const chunk = batch.slice(i, i + this.maxBatchSize);
      const result = await this.#client.ingest(chunk);
      this.#ready.splice(0, chunk.length);
      this.sent += (result.accepted ?? 0) + (result.duplicates ?? 0);
      this.dropped += (result.rejected ?? []).length;
    }
  }

  /** Flushes ended seconds every flushIntervalMs (an unref'd timer) until close(). */
  start() {
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.flush().catch(() => { this.failedFlushes++; }), this.flushIntervalMs);
      this.#timer.unref?.();
    }
    return this;
  }

  /** Stops the timer and sends everything held, the current second included. */
  async close() {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush({ all: true });
  }
}
