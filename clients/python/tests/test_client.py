import socket
import unittest

from reputation_client import ClientOptions, ReputationApiError, ReputationClient, UsageBuffer

from ._stub import StubService

DECISION = {"accountId": "acct-1", "decision": "throttle", "score": 0.8, "reasons": [], "requestsPerMinute": 10,
            "cacheTtlSeconds": 30, "policyVersion": 7}


def accepting(path, body, attempt, stub):
    return 202, {"accepted": len(body["events"]), "duplicates": 0, "rejected": []}


def client_for(url, **options):
    # A generous decision timeout, so a busy machine does not turn an answer into a fallback; the timeout test sets its own.
    options.setdefault("decision_timeout", 10.0)
    return ReputationClient(ClientOptions(base_url=url, api_key="test-key", ingest_retry_delay=0, **options))


def free_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # closed again: nothing listens there


class DecisionTests(unittest.TestCase):
    def test_the_service_answer_is_returned_with_the_key_sent(self):
        stub = StubService(lambda *a: (200, DECISION))
        self.addCleanup(stub.close)
        result = client_for(stub.url).decide_request("acct-1", "198.51.100.7", model="m")
        self.assertFalse(result.is_fallback)
        self.assertEqual("throttle", result.decision)
        path, key, body = stub.requests[0]
        self.assertEqual(("/v1/decisions/request", "test-key"), (path, key))
        self.assertEqual({"accountId": "acct-1", "ip": "198.51.100.7", "model": "m"}, body)

    def test_an_unreachable_service_gives_the_configured_fallback(self):
        client = client_for(free_port_url(), fallback_request_decision="throttle", fallback_requests_per_minute=60)
        result = client.decide_request("acct-1", "198.51.100.7")
        self.assertTrue(result.is_fallback)
        self.assertEqual("unreachable", result.fallback_cause)
        self.assertEqual(("throttle", 60), (result.decision, result.response["requestsPerMinute"]))
        self.assertEqual("review", client.decide_signup("acct-1", "198.51.100.7").decision)
        self.assertEqual("hold", client.decide_billing("acct-1", "pf", 100, "USD").decision)

    def test_a_service_slower_than_the_timeout_gives_the_fallback(self):
        def hang(path, body, attempt, stub):
            stub.release.wait()
            return 200, DECISION
        stub = StubService(hang)
        self.addCleanup(stub.close)
        result = client_for(stub.url, decision_timeout=0.05).decide_request("acct-1", "198.51.100.7")
        self.assertEqual((True, "timeout", "allow"), (result.is_fallback, result.fallback_cause, result.decision))

    def test_a_5xx_falls_back_and_a_4xx_is_the_callers_bug(self):
        stub = StubService(lambda path, body, attempt, s: (503, {"status": 503}) if attempt == 1 else (400, {"status": 400, "errors": {"ip": ["bad"]}}))
        self.addCleanup(stub.close)
        client = client_for(stub.url)
        self.assertEqual("http 503", client.decide_request("acct-1", "1.2.3.4").fallback_cause)
        with self.assertRaises(ReputationApiError) as raised:
            client.decide_request("acct-1", "not-an-ip")
        self.assertEqual(400, raised.exception.status)
        self.assertEqual({"ip": ["bad"]}, raised.exception.problem["errors"])


class UsageBufferTests(unittest.TestCase):
    def setUp(self):
        self.now = [1796126400.5]

    def buffer(self, stub, **options):
        return UsageBuffer(client_for(stub.url, ingest_max_retries=options.pop("retries", 0)), clock=lambda: self.now[0], **options)

    def test_ended_seconds_are_sent_in_batches_and_the_open_second_waits(self):
        stub = StubService(accepting)
        self.addCleanup(stub.close)
        buffer = self.buffer(stub, max_batch_size=2)
        for account in ("a", "b", "c"):
            buffer.record(account, "198.51.100.7", "Solve 3x+5=11 step by step")
        self.now[0] += 1
        buffer.record("a", "198.51.100.7", "still open")
        buffer.flush()
        self.assertEqual([2, 1], [len(body["events"]) for _, _, body in stub.requests])
        self.assertEqual(3, buffer.sent)
        sent = [e for _, _, body in stub.requests for e in body["events"]]
        self.assertNotIn("step by step", str(sent))
        buffer.flush(all=True)
        self.assertEqual(4, buffer.sent)

    def test_a_failed_flush_keeps_the_summaries_and_sends_them_again_with_the_same_ids(self):
        stub = StubService(lambda path, body, attempt, s: (503, {"status": 503}) if attempt == 1 else accepting(path, body, attempt, s))
        self.addCleanup(stub.close)
        buffer = self.buffer(stub)
        buffer.record("acct-1", "198.51.100.7", "hello", 1, 2)
        with self.assertRaises(ReputationApiError):
            buffer.flush(all=True)
        buffer.flush(all=True)
        first, second = (body["events"] for _, _, body in stub.requests)
        self.assertEqual(first, second)
        self.assertEqual(1, buffer.sent)

    def test_ingest_retries_a_5xx_with_the_same_ids(self):
        stub = StubService(lambda path, body, attempt, s: (503, {"status": 503}) if attempt < 3 else accepting(path, body, attempt, s))
        self.addCleanup(stub.close)
        buffer = self.buffer(stub, retries=3)
        buffer.record("acct-1", "198.51.100.7", "hello")
        buffer.flush(all=True)
        self.assertEqual(3, len(stub.requests))
        self.assertEqual(1, len({body["events"][0]["id"] for _, _, body in stub.requests}))
        self.assertEqual(1, buffer.sent)

    def test_the_buffer_is_bounded_and_counts_what_it_drops(self):
        stub = StubService(accepting)
        self.addCleanup(stub.close)
        buffer = self.buffer(stub, max_pending_summaries=2)
        for account in ("a", "b", "c", "d"):
            buffer.record(account, "198.51.100.7")
        buffer.record("a", "198.51.100.7")  # an open summary still takes requests
        buffer.flush(all=True)
        self.assertEqual(2, buffer.dropped)
        self.assertEqual([2, 1], sorted(e["requests"] for e in stub.requests[0][2]["events"])[::-1])


if __name__ == "__main__":
    unittest.main()
