"""Shannon entropy of a candidate secret, the floor that separates keys from words.

Random tokens drawn from base64 or hex alphabets score 3.5 to 6 bits per character; English
words, identifiers and placeholders mostly stay below 3, so a per-rule floor removes most false
positives of the loose (generic) rules without touching the provider rules' exact shapes.
"""

from __future__ import annotations

import math
from collections import Counter


def shannon(text: str) -> float:
    """Bits of entropy per character of ``text`` (0.0 for the empty string)."""
    if not text:
        return 0.0
    size = len(text)
    return -sum((n / size) * math.log2(n / size) for n in Counter(text).values())
