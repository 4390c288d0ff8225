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

test('usage is ingested once and links the account to its prompt buckets', async () => {
  const client = serviceClient();
  const account = `js-${randomUUID()}`;
  const prompt = 'You are an expert tutor. Solve 12x+7=43 step by step and give the final answer on its own line.';
  const sent = [];
  const buffer = new UsageBuffer({ ingest: (events) => { sent.push(...events); return client.ingest(events); } });
  buffer.record(account, '198.51.100.7', { prompt, inputTokens: 100, outputTokens: 400, model: 'm1' });
  await buffer.flush({ all: true });
  assert.equal(buffer.sent, 1);
  const again = await client.ingest(sent); // the same ids: counted once
  assert.deepEqual([again.accepted, again.duplicates], [0, 1]);

  const expected = bucketKeys(promptFingerprint(prompt));
  const deadline = Date.now() + 20_000;
  let view = null;
  while (Date.now() < deadline) {
    view = await client.getAccount(account);
    if (view !== null && expected.every((k) => view.promptBuckets.includes(k))) break;
    await delay(50); // the poll interval while the account's grains take the event in
  }
  assert.ok(view !== null, 'the account never appeared');
  assert.deepEqual(expected.filter((k) => view.promptBuckets.includes(k)), expected);
});
