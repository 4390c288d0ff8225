"""A gateway's usage buffer: one usage event per account, second and IP address, sent in batches.

A port of Reputation.Client.UsageBuffer. Recording never touches the network; summaries of seconds
that are over are sent by ``flush`` (call it yourself, or ``start()`` a background thread that does
every ``flush_interval`` seconds). Event ids are derived from (account, second, address), so a
summary sent again after a failure counts once.
"""

import threading
import time
from datetime import datetime, timezone
from typing import Callable, Optional

from ._text import is_blank, to_units
from ._xxhash import xxh32
from .elicitation import reasoning_elicitation
from .fingerprint import prompt_fingerprint

MAX_FINGERPRINTS = 64


class _Summary:
    __slots__ = ("requests", "input", "output", "fingerprints", "elicitation_sum", "scored", "models")

    def __init__(self):
        self.requests = 0
        self.input = 0
        self.output = 0
        self.fingerprints = []
        self.elicitation_sum = 0.0
        self.scored = 0
        self.models = {}

    def add(self, fingerprint, elicitation, input_tokens, output_tokens, model):
        self.requests += 1
        self.input += max(0, input_tokens)
        self.output += max(0, output_tokens)
        if fingerprint is not None and len(self.fingerprints) < MAX_FINGERPRINTS and fingerprint not in self.fingerprints:
            self.fingerprints.append(fingerprint)
        if elicitation is not None:
            self.elicitation_sum += elicitation
            self.scored += 1
        if model is not None:
            self.models[model] = self.models.get(model, 0) + 1

    def to_event(self, account: str, second: int, ip: str) -> dict:
        event = {
            "id": usage_event_id(second, ip),
            "type": "usage",
            "accountId": account,
            "occurredAt": datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "ip": ip,
            "requests": self.requests,
            "inputTokens": self.input,
            "outputTokens": self.output,
        }
        if self.fingerprints:
            event["promptFingerprints"] = list(self.fingerprints)
        if self.scored:
            event["reasoningElicitation"] = round(min(max(self.elicitation_sum / self.scored, 0.0), 1.0) * 10000) / 10000
        if self.models:
            best = max(self.models.values())
            event["model"] = next(m for m, n in self.models.items() if n == best)  # the first seen wins a tie
        return event


def usage_event_id(second: int, ip: str) -> str:
    """``u-{second}-{xxHash32 of the address's UTF-8, 8 hex digits}``: the same summary always gets the same id."""
    return f"u-{second}-{xxh32(ip.encode('utf-8')):08x}"


class UsageBuffer:
    """Records model requests and sends one usage event per (account, second, address) once the second is over."""

    def __init__(self, client, *, flush_interval: float = 1.0, max_pending_summaries: int = 100_000,
                 max_batch_size: int = 1000, clock: Callable[[], float] = time.time):
        if not 1 <= max_batch_size <= 1000:
            raise ValueError("max_batch_size must be 1 to 1000")
        self._client = client
        self._interval = flush_interval
        self._max_pending = max_pending_summaries
        self._batch = max_batch_size
        self._clock = clock
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._open = {}
        self._ready = []
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.sent = 0
        self.dropped = 0
        self.failed_flushes = 0

    def record(self, account_id: str, ip: str, prompt: Optional[str] = None, input_tokens: int = 0,
               output_tokens: int = 0, model: Optional[str] = None) -> None:
        """Records one model request of an account, now. The prompt is fingerprinted and scored here, never sent."""
        if not account_id or not ip:
            raise ValueError("account_id and ip are required")
        blank = prompt is None or is_blank(to_units(prompt))
        fingerprint = None if blank else prompt_fingerprint(prompt)
        elicitation = None if blank else reasoning_elicitation(prompt)
        second = int(self._clock() // 1)
        with self._lock:
            key = (account_id, second, ip)
            summary = self._open.get(key)
            if summary is None:
                if len(self._open) + len(self._ready) >= self._max_pending:
                    self.dropped += 1
                    return
                summary = self._open[key] = _Summary()
            summary.add(fingerprint, elicitation, input_tokens, output_tokens, model)

    def flush(self, all: bool = False) -> None:  # noqa: A002 - mirrors FlushAsync(all)
        """Sends the summaries of every second that is over (with ``all``, of every second). On a failure the
        unsent summaries stay and the error is raised; the next flush sends them again with the same ids."""
        with self._flushing:
            with self._lock:
                now = int(self._clock() // 1)
                for key in [k for k in self._open if all or k[1] < now]:
                    self._ready.append(self._open.pop(key).to_event(*key))
                batch = list(self._ready)
            for i in range(0, len(batch), self._batch):
                chunk = batch[i : i + self._batch]
                result = self._client.ingest(chunk)
                with self._lock:
                    del self._ready[: len(chunk)]
                    self.sent += result.get("accepted", 0) + result.get("duplicates", 0)
                    self.dropped += len(result.get("rejected", []))

    def start(self) -> "UsageBuffer":
        """Flushes ended seconds every ``flush_interval`` on a daemon thread until :meth:`close`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="reputation-usage-buffer", daemon=True)
            self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - kept and sent again on the next flush; counted
                with self._lock:
                    self.failed_flushes += 1

    def close(self) -> None:
        """Stops the background flushes and sends everything held, the current second included."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.flush(all=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
