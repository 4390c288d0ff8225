"""Fingerprint cost per prompt with Python's own timer, on the workloads of the C# benchmark
(bench/Reputation.Benchmarks/PortFingerprintBenchmarks.cs): ``python3 bench/fingerprint.py``."""

import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reputation_client import prompt_fingerprint  # noqa: E402

TEMPLATED = "You are an expert tutor. Solve 12x+7=43 step by step and give the final answer on its own line."
CORPUS = [v["prompt"] for v in json.loads((Path(__file__).resolve().parents[2] / "vectors" / "prompts.v1.json").read_text("utf-8"))["prompts"]]


def measure(work, rounds=7, round_seconds=0.4):
    """The fastest of ``rounds`` rounds of at least ``round_seconds`` each, in µs per call of ``work``: on a
    shared machine the minimum is the figure least disturbed by other processes (BenchmarkDotNet's Min column)."""
    work()  # warm up (compiled patterns, caches)
    best = float("inf")
    for _ in range(rounds):
        runs = 0
        start = time.perf_counter()
        while time.perf_counter() - start < round_seconds:
            work()
            runs += 1
        best = min(best, (time.perf_counter() - start) / runs * 1e6)
    return best


def templated():
    for _ in range(100):
        prompt_fingerprint(TEMPLATED)


def corpus():
    for p in CORPUS:
        prompt_fingerprint(p)


t = measure(templated) / 100
c = measure(corpus, round_seconds=2.0)
print(f"python {platform.python_version()}: templated prompt {t:.1f} µs; every corpus prompt once ({len(CORPUS)}) {c / 1000:.1f} ms")
