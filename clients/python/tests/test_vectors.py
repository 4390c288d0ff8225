import unittest

from reputation_client import bucket_keys, elicitation_matches, normalize, prompt_fingerprint, reasoning_elicitation
from reputation_client.usage import UsageBuffer

from ._vectors import load, random_vectors


class _Recorder:
    def __init__(self):
        self.events = []

    def ingest(self, events):
        self.events.extend(events)
        return {"accepted": len(events), "duplicates": 0, "rejected": []}


class PromptVectorTests(unittest.TestCase):
    def check(self, vectors):
        self.assertGreater(len(vectors), 0)
        for v in vectors:
            prompt = v["prompt"]
            with self.subTest(prompt=prompt[:60]):
                self.assertEqual(v["normalized"], normalize(prompt))
                fingerprint = prompt_fingerprint(prompt)
                self.assertEqual(v["fingerprint"], fingerprint)
                self.assertEqual(v["bands"], bucket_keys(fingerprint))
                self.assertEqual(v["elicitation"], reasoning_elicitation(prompt))  # exact: same IEEE operations
                self.assertEqual(v["matches"], elicitation_matches(prompt))

    def test_the_committed_corpus_gives_the_reference_values(self):
        corpus = load("prompts.v1.json")["prompts"]
        self.assertGreaterEqual(len(corpus), 500)
        self.check(corpus)

    def test_this_runs_random_prompts_give_the_reference_values(self):
        data = random_vectors()
        if data is None:
            self.fail("REPUTATION_PORT_VECTORS is not set: ./test.sh sets it to the random prompts the C# tests wrote this run")
        self.check(data["prompts"])

    def test_the_pinned_fingerprint(self):
        self.assertEqual("446b00ebeb6648cd", prompt_fingerprint("Explain step by step how to solve 3x+5=11. Show your reasoning."))


class UsageVectorTests(unittest.TestCase):
    def test_every_case_produces_the_reference_events(self):
        cases = load("usage.v1.json")["cases"]
        self.assertGreater(len(cases), 0)
        for case in cases:
            with self.subTest(case=case["name"]):
                now = [0.0]
                sink = _Recorder()
                buffer = UsageBuffer(sink, clock=lambda: now[0])
                for r in sorted(case["records"], key=lambda r: r["second"]):
                    now[0] = case["start"] + r["second"] + 0.25
                    buffer.record(r["accountId"], r["ip"], r["prompt"], r["inputTokens"], r["outputTokens"], r["model"])
                buffer.flush(all=True)
                events = sorted(sink.events, key=lambda e: (e["id"], e["accountId"]))
                self.assertEqual(case["events"], events)


if __name__ == "__main__":
    unittest.main()
