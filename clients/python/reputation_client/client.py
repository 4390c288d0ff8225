"""Decide and ingest calls over the REST contract v1, with timeouts and a configured fallback."""

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Optional

API_KEY_HEADER = "X-Api-Key"


class ReputationApiError(Exception):
    """The service answered an error: a 4xx (a bug of the caller: bad input, a missing scope), or a 5xx once retries are spent."""

    def __init__(self, status: int, problem: Optional[dict], message: str):
        super().__init__(message)
        self.status = status
        self.problem = problem


@dataclass
class ClientOptions:
    """Where the service is, and what to do when it cannot answer."""

    base_url: str
    api_key: str
    decision_timeout: float = 0.25
    ingest_timeout: float = 10.0
    ingest_max_retries: int = 3
    ingest_retry_delay: float = 0.2
    fallback_signup_decision: str = "review"
    fallback_request_decision: str = "allow"
    fallback_billing_decision: str = "hold"
    fallback_requests_per_minute: int = 600
    fallback_cache_ttl_seconds: int = 5


@dataclass
class DecisionResult:
    """A decision (the service's JSON answer as a dict), or the configured fallback with the reason it was used."""

    response: dict
    is_fallback: bool = False
    fallback_cause: Optional[str] = None

    @property
    def decision(self) -> str:
        return self.response["decision"]


@dataclass
class _Failure:
    cause: str
    status: int = 0
    body: Any = field(default=None)


class ReputationClient:
    """Calls the service. Decisions never raise for an unreachable, slow or failing (5xx) service: they return the fallback."""

    def __init__(self, options: ClientOptions):
        if not options.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an absolute http or https URL")
        if not options.api_key:
            raise ValueError("api_key is required")
        self.options = options
        self._base = options.base_url.rstrip("/")

    # ---- decisions ----------------------------------------------------------------------

    def decide_request(self, account_id: str, ip: str, model: Optional[str] = None) -> DecisionResult:
        """The rate limiter's decision for one request (``POST /v1/decisions/request``)."""
        body = {"accountId": account_id, "ip": ip}
        if model is not None:
            body["model"] = model
        o = self.options
        return self._decide("request", body, {
            "accountId": account_id, "decision": o.fallback_request_decision, "score": 0, "reasons": [],
            "requestsPerMinute": o.fallback_requests_per_minute, "cacheTtlSeconds": o.fallback_cache_ttl_seconds, "policyVersion": 0,
        })

    def decide_signup(self, account_id: str, ip: str, **fields) -> DecisionResult:
        """The signup decision (``POST /v1/decisions/signup``); ``fields``: email, paymentFingerprint, deviceId, country, ..."""
        body = {"accountId": account_id, "ip": ip, **{k: v for k, v in fields.items() if v is not None}}
        return self._decide("signup", body, {
            "accountId": account_id, "decision": self.options.fallback_signup_decision, "score": 0, "reasons": [], "policyVersion": 0,
        })

    def decide_billing(self, account_id: str, payment_fingerprint: str, amount_minor: int, currency: str) -> DecisionResult:
        """The billing decision for one charge (``POST /v1/decisions/billing``)."""
        body = {"accountId": account_id, "paymentFingerprint": payment_fingerprint, "amountMinor": amount_minor, "currency": currency}
        return self._decide("billing", body, {
            "accountId": account_id, "decision": self.options.fallback_billing_decision, "score": 0, "reasons": [], "policyVersion": 0,
        })

    def _decide(self, kind: str, body: dict, fallback: dict) -> DecisionResult:
        outcome = self._post(f"/v1/decisions/{kind}", body, self.options.decision_timeout)
        if not isinstance(outcome, _Failure):
            return DecisionResult(outcome)
        if 400 <= outcome.status < 500 and outcome.status not in (408, 429):
            raise ReputationApiError(outcome.status, outcome.body, f"the service refused the {kind} decision: HTTP {outcome.status}")
        return DecisionResult(fallback, is_fallback=True, fallback_cause=outcome.cause)

    # ---- events ---------------------------------------------------------------------------

    def ingest(self, events: list) -> dict:
        """Sends 1 to 1000 events (``POST /v1/events``); retries connection failures, timeouts, 408, 429 and 5xx
        with the same event ids (the service counts an id once). Returns ``{accepted, duplicates, rejected}``."""
        if not 1 <= len(events) <= 1000:
            raise ValueError("a batch holds 1 to 1000 events")
        o = self.options
        for attempt in range(o.ingest_max_retries + 1):
            outcome = self._post("/v1/events", {"events": events}, o.ingest_timeout)
            if not isinstance(outcome, _Failure):
                return outcome
            retryable = outcome.status == 0 or outcome.status in (408, 429) or outcome.status >= 500
            if not retryable or attempt == o.ingest_max_retries:
                if outcome.status:
                    raise ReputationApiError(outcome.status, outcome.body, f"ingest failed: HTTP {outcome.status}")
                raise ConnectionError(f"ingest failed after {attempt + 1} attempt(s): {outcome.cause}")
            time.sleep(o.ingest_retry_delay * (2 ** attempt))
        raise AssertionError("unreachable")

    def get_account(self, account_id: str, timeout: float = 5.0) -> Optional[dict]:
        """An account's view (``GET /v1/accounts/{accountId}``, read scope), or None if it was never seen."""
        request = urllib.request.Request(
            self._base + "/v1/accounts/" + urllib.parse.quote(account_id, safe=""),
            headers={"Accept": "application/json", API_KEY_HEADER: self.options.api_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise ReputationApiError(error.code, None, f"reading the account failed: HTTP {error.code}") from error

    # ---- transport --------------------------------------------------------------------------

    def _post(self, path: str, body: dict, timeout: float):
        request = urllib.request.Request(
            self._base + path,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json", API_KEY_HEADER: self.options.api_key},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            try:
                problem = json.loads(error.read().decode("utf-8"))
            except (ValueError, OSError):
                problem = None
            return _Failure(f"http {error.code}", error.code, problem)
        except (socket.timeout, TimeoutError):
            return _Failure("timeout")
        except urllib.error.URLError as error:
            return _Failure("timeout" if isinstance(error.reason, (socket.timeout, TimeoutError)) else "unreachable")
        except (ConnectionError, OSError):
            return _Failure("unreachable")
        except ValueError:
            return _Failure("invalid response")
