// Fingerprint cost per prompt with Node's own timer, on the workloads of the C# benchmark
// (bench/Reputation.Benchmarks/PortFingerprintBenchmarks.cs): `node bench/fingerprint.js`.
import { readFileSync } from 'node:fs';
import { promptFingerprint } from '../src/index.js';

const TEMPLATED = 'You are an expert tutor. Solve 12x+7=43 step by step and give the final answer on its own line.';
const corpus = JSON.parse(readFileSync(new URL('../../vectors/prompts.v1.json', import.meta.url), 'utf8')).prompts.map((v) => v.prompt);

// The fastest of `rounds` rounds of at least `roundMs` each, in µs per call of `work`: on a shared
// machine the minimum is the figure least disturbed by other processes (BenchmarkDotNet's Min column).
function measure(work, rounds = 7, roundMs = 400) {
  for (let i = 0; i < 3; i++) work(); // warm up the JIT
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let runs = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < BigInt(roundMs) * 1_000_000n) {
      work();
      runs++;
      elapsed = process.hrtime.bigint() - start;
    }
    best = Math.min(best, Number(elapsed) / 1000 / runs);
  }
  return best;
}

const templated = measure(() => { for (let i = 0; i < 100; i++) promptFingerprint(TEMPLATED); }) / 100;
const whole = measure(() => { for (const p of corpus) promptFingerprint(p); });
console.log(`node ${process.version}: templated prompt ${templated.toFixed(1)} µs; every corpus prompt once (${corpus.length}) ${(whole / 1000).toFixed(1)} ms`);
