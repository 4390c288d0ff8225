"""Prompt fingerprints: the normaliser, the slot-aware 64-bit SimHash and its LSH bands.

A port of Reputation.Core.Prompts (PromptNormalizer, SimHash, PromptBands) to the rules of
docs/prompt-fingerprints.md; clients/vectors holds the values every port must reproduce.
"""

import re
import struct

from ._text import DATA, WS_CLASS, char_class, flags, from_units, is_blank, lower_invariant, to_units
from ._xxhash import xxh64

QUOTED = '"_"'
CODE = "`_`"
CODE_BLOCK = "```_```"
URL = "<url>"
EMAIL = "<email>"
NUMBER = "#"
_PLACEHOLDERS = frozenset((QUOTED, CODE, CODE_BLOCK, URL, EMAIL, NUMBER))

_L = char_class("letter")
_N = char_class("number")
_W = char_class("regexWord")
_D = char_class("regexDigit")
_S = WS_CLASS

_REMOVED = re.compile("[" + char_class("format") + char_class("privateUse") + "]")
_QUOTE_FOLD = str.maketrans(
    {0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x201C: '"', 0x201D: '"', 0x201E: '"', 0x201F: '"', 0xAB: '"', 0xBB: '"'}
)
_WHITESPACE = re.compile("[" + _S + "]+")
_CODE_FENCE = re.compile(r"(?:```|~~~)[\s\S]*?(?:```|~~~|\Z)")
_INLINE_CODE = re.compile(r"`[^`]{1,500}`")
# No IGNORECASE: Python would let U+017F match "s"; the reference matches ASCII letters only here.
_URL = re.compile(
    "(?<![" + _L + _N + r"_#.@/\-])(?:(?:[hH][tT][tT][pP][sS]?|[fF][tT][pP])://|[wW][wW][wW]\.)"
    "[^" + _S + "<>\"'`]+[^" + _S + "<>\"'`.,;:!?)\\]}]"
)
_EMAIL = re.compile("(?<![" + _W + r".+#\-])[" + _W + "][" + _W + r".+\-]*@[" + _W + r"\-]+(?:\.[" + _W + r"\-]+)+")
_QUOTED = re.compile(
    "(?<![" + _L + _N + '])"[^"]{1,4000}"'
    + "|(?<![" + _L + _N + "])'(?=[^" + _S + "'])[^']{0,500}(?<=[^" + _S + "'])'(?![" + _L + _N + "])"
)
_STRAY_QUOTE = re.compile("[\"`]|(?<![" + _L + "])'|'(?![" + _L + "])")
_NUMBER = re.compile("[" + _D + "]+(?:[.,][" + _D + "]+)*")

_SCAFFOLD = frozenset(DATA["scaffoldWords"])
_STOP = frozenset(DATA["stopWords"])

_LETTER = flags("letter")
_LETTER_OR_DIGIT = flags("letterOrDigit")
_MARK = flags("mark")

_SINGLE_WORD_SEED = 0x5EED0001D15C0001
_SHINGLE_SEED = 0x5EED0003D15C0003
_WHOLE_SEED = 0x5EED00FFD15C00FF
_STOP_WORD_WEIGHT = 0.25
_MIN_SLOT_FACTOR_LOG2 = -6
_QUARTER_POWERS = (1.0, 0.8408964152537145, 0.7071067811865476, 0.5946035575013605)
_M64 = 0xFFFFFFFFFFFFFFFF

BANDS = 4
BITS_PER_BAND = 16


def normalize(prompt: str) -> str:
    """The normalised template text of a prompt (empty for an empty or blank prompt)."""
    return from_units(_normalize_units(to_units(prompt)))


def _normalize_units(text: str) -> str:
    if is_blank(text):
        return ""
    text = _REMOVED.sub("", text).translate(_QUOTE_FOLD)
    text = _WHITESPACE.sub(" ", text)
    text = _CODE_FENCE.sub(" \ue001 ", text)
    text = _INLINE_CODE.sub(" \ue002 ", text)
    text = _URL.sub(" \ue003 ", text)
    text = _EMAIL.sub(" \ue004 ", text)
    text = _QUOTED.sub(" \ue005 ", text)
    text = _STRAY_QUOTE.sub(" ", text)
    text = _NUMBER.sub(NUMBER, text)
    text = lower_invariant(text)
    text = _WHITESPACE.sub(" ", text).strip(" ")
    return (
        text.replace("\ue001", CODE_BLOCK)
        .replace("\ue002", CODE)
        .replace("\ue003", URL)
        .replace("\ue004", EMAIL)
        .replace("\ue005", QUOTED)
    )


def _unspaced(c: int) -> bool:
    return 0x3040 <= c <= 0x30FF or 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF


def tokenize(normalized_units: str) -> list:
    """Words of normalised text (in UTF-16 units): placeholders, single CJK characters, else runs of word characters."""
    words = []
    for chunk in normalized_units.split(" "):
        if not chunk:
            continue
        if chunk in _PLACEHOLDERS:
            words.append(chunk)
            continue
        start = -1
        n = len(chunk)
        for i in range(n + 1):
            c = ord(chunk[i]) if i < n else -1
            if c >= 0 and _unspaced(c):
                if start >= 0:
                    words.append(chunk[start:i])
                    start = -1
                words.append(chunk[i])
                continue
            in_word = c >= 0 and (
                c == 0x23
                or c == 0x5F
                or _LETTER_OR_DIGIT[c]
                or _MARK[c]
                or (c == 0x27 and 0 < i < n - 1 and _LETTER[ord(chunk[i - 1])] and _LETTER[ord(chunk[i + 1])])
            )
            if in_word and start < 0:
                start = i
            elif not in_word and start >= 0:
                words.append(chunk[start:i])
                start = -1
    return words


def _slot_factor(words: int, scaffold: int) -> float:
    share = min(max(((scaffold / words) - 0.4) / 0.2, 0.0), 1.0)
    length = min(max((words - 6) / 6.0, 0.0), 1.0)
    x = share * length * -_MIN_SLOT_FACTOR_LOG2 * 4
    quarters = int(x)
    if x - quarters >= 0.5:  # half away from zero (x is never negative)
        quarters += 1
    return _QUARTER_POWERS[quarters % 4] * 2.0 ** -(quarters // 4)


# _SIGNS[b] is (+1.0 or -1.0 for each bit of byte b, least significant first): s * w is exactly +w or -w,
# and v + (-w) is exactly v - w, so this adds the same doubles in the same order as a bit-by-bit loop.
_SIGNS = [tuple(1.0 if (b >> j) & 1 else -1.0 for j in range(8)) for b in range(256)]


def _vote(votes: list, h: int, weight: float) -> list:
    mixed = (h + 0x9E3779B97F4A7C15) & _M64
    mixed = ((mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    mixed = ((mixed ^ (mixed >> 27)) * 0x94D049BB133111EB) & _M64
    mixed ^= mixed >> 31
    w = weight * (0.75 + (0.5 * float(mixed >> 11) / 9007199254740992.0))
    signs = _SIGNS
    bits = (
        signs[h & 0xFF] + signs[(h >> 8) & 0xFF] + signs[(h >> 16) & 0xFF] + signs[(h >> 24) & 0xFF]
        + signs[(h >> 32) & 0xFF] + signs[(h >> 40) & 0xFF] + signs[(h >> 48) & 0xFF] + signs[h >> 56]
    )
    return [v + s * w for v, s in zip(votes, bits)]


def simhash_normalized(normalized: str) -> int:
    """The fingerprint of text :func:`normalize` produced; 0 when it has no words."""
    words = tokenize(to_units(normalized))
    if not words:
        return 0
    encoded = [w.encode("utf-8") for w in words]
    hashes = [xxh64(b, _SINGLE_WORD_SEED) for b in encoded]
    scaffold = [w in _PLACEHOLDERS or w in _SCAFFOLD for w in words]
    slot = _slot_factor(len(words), sum(scaffold))
    votes = [0.0] * 64
    for i, w in enumerate(words):
        weight = _STOP_WORD_WEIGHT if w in _STOP else 1.0
        votes = _vote(votes, hashes[i], weight if scaffold[i] else weight * slot)
    for i in range(len(words) - 2):
        triple = struct.pack("<3Q", hashes[i], hashes[i + 1], hashes[i + 2])
        all_scaffold = scaffold[i] and scaffold[i + 1] and scaffold[i + 2]
        votes = _vote(votes, xxh64(triple, _SHINGLE_SEED), 1.0 if all_scaffold else slot)
    if len(words) < 3:
        votes = _vote(votes, xxh64(" ".join(words).encode("utf-8"), _WHOLE_SEED), 1.0)
    fingerprint = 0
    for bit in range(64):
        if votes[bit] > 0:
            fingerprint |= 1 << bit
    return fingerprint


def simhash(prompt: str) -> int:
    """The 64-bit fingerprint of a raw prompt (0 for an empty or blank prompt)."""
    return simhash_normalized(normalize(prompt))


def prompt_fingerprint(prompt: str) -> str:
    """The fingerprint usage events carry: 16 lowercase hex digits. Matches C#'s PromptFingerprint.Compute."""
    if prompt is None:
        raise TypeError("prompt must be a string")
    return to_hex(simhash(prompt))


def to_hex(fingerprint: int) -> str:
    return f"{fingerprint:016x}"


def distance(a: int, b: int) -> int:
    """Hamming distance of two fingerprints (0-64)."""
    return bin(a ^ b).count("1")


def band(fingerprint: int, index: int) -> int:
    """Band ``index`` (0 = the most significant 16 bits)."""
    if not 0 <= index < BANDS:
        raise ValueError("band must be 0 to 3")
    return (fingerprint >> (BITS_PER_BAND * (BANDS - 1 - index))) & 0xFFFF


def bucket_keys(fingerprint) -> list:
    """The four bucket keys of a fingerprint (an int or 16 hex digits), band 0 first: ``b0:3fa2``."""
    if isinstance(fingerprint, str):
        fingerprint = int(fingerprint, 16)
    return [f"b{i}:{band(fingerprint, i):04x}" for i in range(BANDS)]
