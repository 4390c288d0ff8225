// Against a running service: REPUTATION_URL and REPUTATION_API_KEY (./test.sh starts one and sets both).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';

import { ReputationClient, UsageBuffer, bucketKeys, promptFingerprint } from '../src/index.js';

function serviceClient() {
  const { REPUTATION_URL: baseUrl, REPUTATION_API_KEY: apiKey } = process.env;
  assert.ok(baseUrl && apiKey, 'REPUTATION_URL and REPUTATION_API_KEY must name a running service (./test.sh starts one)');
  // A first call to a cold service takes longer than a gateway's decision budget.
  return new ReputationClient({ baseUrl, apiKey, decisionTimeoutMs: 10_000 });
}

test('a request decision comes from the service', async () => {
  const result = await serviceClient().decideRequest(`js-${randomUUID()}`, '198.51.100.7', 'm1');
  assert.equal(result.isFallback, false, result.fallbackCause);
  assert.ok(['allow', 'throttle', 'degrade', 'block'].includes(result.decision));
  assert.ok(result.response.requestsPerMinute > 0);
  assert.ok(result.response.policyVersion >= 1);
});

test('usage is ingested once and links two accounts sending one template', async () => {
  const client = serviceClient();
  const [first, second] = [`js-${randomUUID()}`, `js-${randomUUID()}`];
  const template = (fill) => `You are an expert tutor. Solve ${fill} step by step and give the final answer on its own line.`;
  const sent = [];
  const buffer = new UsageBuffer({ ingest: (events) => { sent.push(...events); return client.ingest(events); } });
  buffer.record(first, '198.51.100.7', { prompt: template('12x+7=43'), inputTokens: 100, outputTokens: 400, model: 'm1' });
  await buffer.flush({ all: true });
  buffer.record(second, '203.0.113.9', { prompt: template('5x+1=26'), inputTokens: 90, outputTokens: 380, model: 'm1' });
  await buffer.flush({ all: true });
  assert.equal(buffer.sent, 2);
  const again = await client.ingest(sent); // the same ids: counted once
  assert.deepEqual([again.accepted, again.duplicates], [0, 2]);

  // The second account meets the first in the template's buckets (the fills normalise alike).
  const expected = bucketKeys(promptFingerprint(template('12x+7=43')));
  const deadline = Date.now() + 20_000;
  let view = null;
  while (Date.now() < deadline) {
    view = await client.getAccount(second);
    if (view !== null && expected.some((k) => view.promptBuckets.includes(k))) break;
    await delay(50); // the poll interval while the grains take the events in
  }
  assert.ok(view !== null, 'the account never appeared');
  assert.ok(expected.some((k) => view.promptBuckets.includes(k)), `no shared bucket: ${view.promptBuckets}`);
});
