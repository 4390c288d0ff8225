"""How strongly a prompt asks for step-by-step, hidden or reconstructed reasoning.

A port of Reputation.Client.ReasoningElicitation: the rule table (name, weight, .NET pattern) comes
from fingerprint_data.json, which the C# implementation writes. Each .NET pattern is translated
once: the prepared text is folded to the reference's case-insensitive equivalents of ASCII letters,
``\\b`` becomes the reference's word boundary, ``\\s`` a space (preparing leaves no other white
space) and the case-sensitive alternative ``(?-i:...)`` is matched apart on the unfolded text.
"""

import re

from ._text import DATA, char_class, flags, to_units

_FORMAT = flags("format")
_WHITESPACE = flags("whiteSpace")
_WORD = char_class("boundaryWord")
_BOUNDARY = "(?:(?<=[" + _WORD + "])(?![" + _WORD + "])|(?<![" + _WORD + "])(?=[" + _WORD + "]))"
_FOLD = {c: chr(c + 32) for c in range(0x41, 0x5B)}
_FOLD.update({c: chr(a) for c, a in DATA["ignoreCaseAscii"]})


def _translate(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("[\\s\\S]", i):
            out.append("[\\s\\S]")
            i += 6
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            out.append(_BOUNDARY if pair == "\\b" else " " if pair == "\\s" else pair)
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _compile(pattern: str):
    folded, _, exact = pattern.partition("|(?-i:")
    return re.compile(_translate(folded)), (re.compile(_translate(exact[:-1])) if exact else None)


RULES = tuple((r["name"], r["weight"], *_compile(r["pattern"])) for r in DATA["elicitationRules"])


def _prepare(prompt: str) -> str:
    out = []
    space = False
    for ch in to_units(prompt):
        c = ord(ch)
        if _WHITESPACE[c]:
            space = True
            continue
        if _FORMAT[c]:
            continue
        if space and out:
            out.append(" ")
        space = False
        out.append("'" if c in (0x2018, 0x2019) else ch)
    return "".join(out)


def _matched(prompt: str):
    if prompt is None:
        raise TypeError("prompt must be a string")
    text = _prepare(prompt)
    folded = text.translate(_FOLD)
    for name, weight, pattern, exact in RULES:
        if pattern.search(folded) or (exact is not None and exact.search(text)):
            yield name, weight


def reasoning_elicitation(prompt: str) -> float:
    """The noisy-OR of the matched rules' weights, 1 - prod(1 - w), in [0, 1]. Matches C#'s ReasoningElicitation.Score."""
    miss = 1.0
    for _, weight in _matched(prompt):
        miss *= 1 - weight
    return 1 - miss


def elicitation_matches(prompt: str) -> list:
    """The names of the rules the prompt matches, in table order."""
    return [name for name, _ in _matched(prompt)]
