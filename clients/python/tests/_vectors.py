import json
import os
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def load(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def random_vectors():
    """The random prompts the C# tests wrote this run (REPUTATION_PORT_VECTORS), or None when not set."""
    path = os.environ.get("REPUTATION_PORT_VECTORS")
    if not path:
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))
