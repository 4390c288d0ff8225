"""Against a running service: REPUTATION_URL and REPUTATION_API_KEY (./test.sh starts one and sets both)."""

import os
import time
import unittest
import uuid

from reputation_client import ClientOptions, ReputationClient, UsageBuffer, bucket_keys, prompt_fingerprint


def service_client():
    url, key = os.environ.get("REPUTATION_URL"), os.environ.get("REPUTATION_API_KEY")
    if not url or not key:
        raise AssertionError("REPUTATION_URL and REPUTATION_API_KEY must name a running service (./test.sh starts one)")
    # A first call to a cold service takes longer than a gateway's decision budget.
    return ReputationClient(ClientOptions(base_url=url, api_key=key, decision_timeout=10.0, ingest_timeout=10.0))


class ServiceTests(unittest.TestCase):
    def test_a_request_decision_comes_from_the_service(self):
        result = service_client().decide_request(f"py-{uuid.uuid4()}", "198.51.100.7", model="m1")
        self.assertFalse(result.is_fallback, result.fallback_cause)
        self.assertIn(result.decision, ("allow", "throttle", "degrade", "block"))
        self.assertGreater(result.response["requestsPerMinute"], 0)
        self.assertGreaterEqual(result.response["policyVersion"], 1)

    def test_usage_is_ingested_once_and_links_two_accounts_sending_one_template(self):
        client = service_client()
        first, second = f"py-{uuid.uuid4()}", f"py-{uuid.uuid4()}"
        template = "You are an expert tutor. Solve {} step by step and give the final answer on its own line."
        sent = []

        class Recording:
            def ingest(self, events):
                sent.extend(events)
                return client.ingest(events)

        buffer = UsageBuffer(Recording())
        buffer.record(first, "198.51.100.7", template.format("12x+7=43"), 100, 400, "m1")
        buffer.flush(all=True)
        buffer.record(second, "203.0.113.9", template.format("5x+1=26"), 90, 380, "m1")
        buffer.flush(all=True)
        self.assertEqual(2, buffer.sent)
        again = client.ingest(sent)  # the same ids: counted once
        self.assertEqual((0, 2), (again["accepted"], again["duplicates"]))

        # The second account meets the first in the template's buckets (the fills normalise alike).
        expected = set(bucket_keys(prompt_fingerprint(template.format("12x+7=43"))))
        deadline = time.monotonic() + 20
        view = None
        while time.monotonic() < deadline:
            view = client.get_account(second)
            if view is not None and expected & set(view["promptBuckets"]):
                break
            time.sleep(0.05)  # the poll interval while the grains take the events in
        self.assertIsNotNone(view, "the account never appeared")
        self.assertTrue(expected & set(view["promptBuckets"]), f"no shared bucket: {view['promptBuckets']}")


if __name__ == "__main__":
    unittest.main()
