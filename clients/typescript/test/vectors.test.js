import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { UsageBuffer, bucketKeys, elicitationMatches, normalize, promptFingerprint, reasoningElicitation } from '../src/index.js';

const load = (name) => JSON.parse(readFileSync(new URL(`../../vectors/${name}`, import.meta.url), 'utf8'));

function check(vectors) {
  assert.ok(vectors.length > 0);
  for (const v of vectors) {
    const at = JSON.stringify(v.prompt.slice(0, 60));
    assert.equal(normalize(v.prompt), v.normalized, at);
    const fingerprint = promptFingerprint(v.prompt);
    assert.equal(fingerprint, v.fingerprint, at);
    assert.deepEqual(bucketKeys(fingerprint), v.bands, at);
    assert.equal(reasoningElicitation(v.prompt), v.elicitation, at); // exact: the same IEEE operations
    assert.deepEqual(elicitationMatches(v.prompt), v.matches, at);
  }
}

test('the committed corpus gives the reference values', () => {
  const { prompts } = load('prompts.v1.json');
  assert.ok(prompts.length >= 500);
  check(prompts);
});

test("this run's random prompts give the reference values", () => {
  const path = process.env.REPUTATION_PORT_VECTORS;
  assert.ok(path, 'REPUTATION_PORT_VECTORS is not set: ./test.sh sets it to the random prompts the C# tests wrote this run');
  check(JSON.parse(readFileSync(path, 'utf8')).prompts);
});

test('the pinned fingerprint', () => {
  assert.equal(promptFingerprint('Explain step by step how to solve 3x+5=11. Show your reasoning.'), '446b00ebeb6648cd');
});

test('every usage case produces the reference events', async () => {
  const { cases } = load('usage.v1.json');
  assert.ok(cases.length > 0);
  for (const c of cases) {
    let now = 0;
    const events = [];
    const buffer = new UsageBuffer({ ingest: async (batch) => { events.push(...batch); return { accepted: batch.length, duplicates: 0, rejected: [] }; } }, { now: () => now });
    for (const r of [...c.records].sort((a, b) => a.second - b.second)) {
      now = (c.start + r.second) * 1000 + 250;
      buffer.record(r.accountId, r.ip, { prompt: r.prompt, inputTokens: r.inputTokens, outputTokens: r.outputTokens, model: r.model });
    }
    await buffer.flush({ all: true });
    const key = (e) => e.id + '\n' + e.accountId;
    events.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    assert.deepEqual(events, c.events, c.name);
  }
});
