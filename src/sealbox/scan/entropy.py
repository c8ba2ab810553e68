"""Shannon entropy of a candidate secret, the floor that separates keys from words.

Random tokens drawn from base64 or hex alphabets score 3.5 to 6 bits per character; English
words, identifiers and placeholders mostly stay below 3, so a per-rule floor removes most false
positives of the loose (generic) rules without touching the provider rules' exact shapes.
Entropy alone lets long identifiers through (``InvalidationList.NextMarker`` scores 3.8), so
rules may also drop values that :func:`is_identifier` reads as names.
"""

from __future__ import annotations

import math
import re
from collections import Counter


def shannon(text: str) -> float:
    """Bits of entropy per character of ``text`` (0.0 for the empty string)."""
    if not text:
        return 0.0
    size = len(text)
    return -sum((n / size) * math.log2(n / size) for n in Counter(text).values())


_IDENTIFIER = re.compile(r"\$?[A-Za-z]+(?:[._:/-][A-Za-z]+)*")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_VOWELS = frozenset("aeiouyAEIOUY")


def is_identifier(text: str) -> bool:
    """Whether ``text`` reads as a name rather than a random token: letters only, in words
    (CamelCase, or joined by ``. _ - : /``) that each have a vowel when longer than one letter,
    as ``InvalidationList.NextMarker`` or ``GOOGLE_APPLICATION_CREDENTIALS`` do. A random
    letters-only token splits into vowel-less fragments (``Dh``, ``FLpn``) and is not one."""
    if not _IDENTIFIER.fullmatch(text):
        return False
    words = _WORD.findall(text)
    return bool(words) and all(len(w) < 2 or not _VOWELS.isdisjoint(w) for w in words)
