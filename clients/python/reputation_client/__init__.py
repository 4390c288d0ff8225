"""Reputation client for Python gateways: prompt fingerprints and reasoning-elicitation scores computed
in the caller's process (the prompt never leaves it), a usage buffer, and decide/ingest calls with
a timeout and a configured fallback. Standard library only."""

from .client import ClientOptions, DecisionResult, ReputationApiError, ReputationClient
from .elicitation import elicitation_matches, reasoning_elicitation
from .fingerprint import bucket_keys, distance, normalize, prompt_fingerprint
from .usage import MAX_FINGERPRINTS, UsageBuffer, usage_event_id

__all__ = [
    "ClientOptions", "DecisionResult", "ReputationApiError", "ReputationClient",
    "elicitation_matches", "reasoning_elicitation",
    "bucket_keys", "distance", "normalize", "prompt_fingerprint",
    "MAX_FINGERPRINTS", "UsageBuffer", "usage_event_id",
]
__version__ = "1.0.0"
