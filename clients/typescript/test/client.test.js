import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';

import { ReputationApiError, ReputationClient, UsageBuffer } from '../src/index.js';
import { stubService } from './stub.js';

const DECISION = { accountId: 'acct-1', decision: 'throttle', score: 0.8, reasons: [], requestsPerMinute: 10, cacheTtlSeconds: 30, policyVersion: 7 };
const accepting = (path, body) => [202, { accepted: body.events.length, duplicates: 0, rejected: [] }];
// A generous decision timeout, so a busy machine does not turn an answer into a fallback; the timeout test sets its own.
const clientFor = (url, options = {}) => new ReputationClient({ baseUrl: url, apiKey: 'test-key', decisionTimeoutMs: 10_000, ingestRetryDelayMs: 0, ...options });

async function closedPortUrl() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`; // nothing listens there any more
}

describe('decisions', () => {
  test('the service answer is returned, with the key sent', async (t) => {
    const stub = await stubService(() => [200, DECISION]);
    t.after(() => stub.close());
    const result = await clientFor(stub.url).decideRequest('acct-1', '198.51.100.7', 'm');
    assert.equal(result.isFallback, false);
    assert.equal(result.decision, 'throttle');
    assert.deepEqual(stub.requests[0], { path: '/v1/decisions/request', key: 'test-key', body: { accountId: 'acct-1', ip: '198.51.100.7', model: 'm' } });
  });

  test('an unreachable service gives the configured fallback', async () => {
    const client = clientFor(await closedPortUrl(), { fallbackRequestDecision: 'throttle', fallbackRequestsPerMinute: 60 });
    const result = await client.decideRequest('acct-1', '198.51.100.7');
    assert.deepEqual([result.isFallback, result.fallbackCause, result.decision, result.response.requestsPerMinute], [true, 'unreachable', 'throttle', 60]);
    assert.equal((await client.decideSignup('acct-1', '198.51.100.7')).decision, 'review');
    assert.equal((await client.decideBilling('acct-1', 'pf', 100, 'USD')).decision, 'hold');
  });

  test('a service slower than the timeout gives the fallback', async (t) => {
    const stub = await stubService(async (path, body, attempt, { hang }) => { await hang(); return [200, DECISION]; });
    t.after(() => stub.close());
    const result = await clientFor(stub.url, { decisionTimeoutMs: 50 }).decideRequest('acct-1', '198.51.100.7');
    assert.deepEqual([result.isFallback, result.fallbackCause, result.decision], [true, 'timeout', 'allow']);
  });

  test("a 5xx falls back and a 4xx is the caller's bug", async (t) => {
    const stub = await stubService((path, body, attempt) => (attempt === 1 ? [503, { status: 503 }] : [400, { status: 400, errors: { ip: ['bad'] } }]));
    t.after(() => stub.close());
    const client = clientFor(stub.url);
    assert.equal((await client.decideRequest('acct-1', '1.2.3.4')).fallbackCause, 'http 503');
    await assert.rejects(client.decideRequest('acct-1', 'not-an-ip'), (error) => error instanceof ReputationApiError && error.status === 400 && error.problem.errors.ip[0] === 'bad');
  });
});

describe('usage buffer', () => {
  const start = 1796126400500;

  test('ended seconds are sent in batches and the open second waits', async (t) => {
    const stub = await stubService(accepting);
    t.after(() => stub.close());
    let now = start;
    const buffer = new UsageBuffer(clientFor(stub.url, { ingestMaxRetries: 0 }), { maxBatchSize: 2, now: () => now });
    for (const account of ['a', 'b', 'c']) buffer.record(account, '198.51.100.7', { prompt: 'Solve 3x+5=11 step by step' });
    now += 1000;
    buffer.record('a', '198.51.100.7', { prompt: 'still open' });
    await buffer.flush();
    assert.deepEqual(stub.requests.map((r) => r.body.events.length), [2, 1]);
    assert.equal(buffer.sent, 3);
    assert.ok(!JSON.stringify(stub.requests).includes('step by step'));
    await buffer.flush({ all: true });
    assert.equal(buffer.sent, 4);
  });

  test('a failed flush keeps the summaries and sends them again with the same ids', async (t) => {
    const stub = await stubService((path, body, attempt) => (attempt === 1 ? [503, { status: 503 }] : accepting(path, body)));
    t.after(() => stub.close());
    const buffer = new UsageBuffer(clientFor(stub.url, { ingestMaxRetries: 0 }), { now: () => start });
    buffer.record('acct-1', '198.51.100.7', { prompt: 'hello', inputTokens: 1, outputTokens: 2 });
    await assert.rejects(buffer.flush({ all: true }), ReputationApiError);
    await buffer.flush({ all: true });
    assert.deepEqual(stub.requests[0].body.events, stub.requests[1].body.events);
    assert.equal(buffer.sent, 1);
  });

  test('ingest retries a 5xx with the same ids', async (t) => {
    const stub = await stubService((path, body, attempt) => (attempt < 3 ? [503, { status: 503 }] : accepting(path, body)));
    t.after(() => stub.close());
    const buffer = new UsageBuffer(clientFor(stub.url, { ingestMaxRetries: 3 }), { now: () => start });
    buffer.record('acct-1', '198.51.100.7', { prompt: 'hello' });
    await buffer.flush({ all: true });
    assert.equal(stub.requests.length, 3);
    assert.equal(new Set(stub.requests.map((r) => r.body.events[0].id)).size, 1);
    assert.equal(buffer.sent, 1);
  });

  test('the buffer is bounded and counts what it drops', async (t) => {
    const stub = await stubService(accepting);
    t.after(() => stub.close());
    const buffer = new UsageBuffer(clientFor(stub.url), { maxPendingSummaries: 2, now: () => start });
    for (const account of ['a', 'b', 'c', 'd']) buffer.record(account, '198.51.100.7');
    buffer.record('a', '198.51.100.7'); // an open summary still takes requests
    await buffer.flush({ all: true });
    assert.equal(buffer.dropped, 2);
    assert.deepEqual(stub.requests[0].body.events.map((e) => e.requests).sort(), [1, 2]);
  });
});
