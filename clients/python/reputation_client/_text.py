"""Character data and UTF-16 helpers shared by the fingerprint and the elicitation score.

The specification (docs/prompt-fingerprints.md) works on UTF-16 code units, as the C# reference
does: a character outside the Basic Multilingual Plane (an emoji, a CJK Extension B ideograph) is
two surrogate units, which are neither letters, digits, marks nor spaces, and counts two in a
length bound. Python strings hold code points, so text is converted to a string of UTF-16 units
(surrogates as separate characters) first. The character classes come from fingerprint_data.json,
which the C# implementation writes, so this port does not depend on Python's Unicode version.
"""

import json
import re
from pathlib import Path

DATA = json.loads((Path(__file__).parent / "fingerprint_data.json").read_text(encoding="utf-8"))

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def to_units(text: str) -> str:
    """``text`` with every character above U+FFFF written as its two UTF-16 surrogates."""
    if not _ASTRAL.search(text):
        return text

    def split(match):
        cp = ord(match.group()) - 0x10000
        return chr(0xD800 + (cp >> 10)) + chr(0xDC00 + (cp & 0x3FF))

    return _ASTRAL.sub(split, text)


def from_units(units: str) -> str:
    """The inverse of :func:`to_units`: surrogate pairs joined again (a lone surrogate stays)."""
    if not _PAIR.search(units):
        return units
    return _PAIR.sub(lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10) + (ord(m.group()[1]) - 0xDC00)), units)


def char_class(name: str) -> str:
    """The contents of a regular-expression character class (without brackets) for a data class."""
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in DATA[name])


def flags(name: str) -> bytearray:
    """One byte per UTF-16 code unit: 1 where the unit is in the data class."""
    table = bytearray(0x10000)
    for a, b in DATA[name]:
        table[a : b + 1] = b"\x01" * (b - a + 1)
    return table


WHITESPACE = flags("whiteSpace")
WS_CLASS = char_class("whiteSpace")

_LOWER_BMP = {a: b for a, b in DATA["lower"]}
_LOWER_ASTRAL = {a: b for a, b in DATA["lowerAstral"]}


def lower_invariant(units: str) -> str:
    """Simple lower-case mapping per code point, as .NET's ToLowerInvariant (U+0130 stays)."""
    text = units.translate(_LOWER_BMP)

    def lower_pair(match):
        pair = match.group()
        cp = 0x10000 + ((ord(pair[0]) - 0xD800) << 10) + (ord(pair[1]) - 0xDC00)
        low = _LOWER_ASTRAL.get(cp)
        if low is None:
            return pair
        low -= 0x10000
        return chr(0xD800 + (low >> 10)) + chr(0xDC00 + (low & 0x3FF))

    return _PAIR.sub(lower_pair, text)


def is_blank(units: str) -> bool:
    """True when every unit is white space (or there is none), as String.IsNullOrWhiteSpace."""
    return all(WHITESPACE[ord(c)] for c in units)
