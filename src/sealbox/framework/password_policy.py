"""Password policies: a length and charset rules, and passwords generated to satisfy them.

The model of OpenBao's sdk/helper/random (``StringGenerator`` with ``CharsetRule``s): the
password is ``length`` characters drawn from the union of the rules' charsets, and each rule
demands at least ``min-chars`` characters from its own charset. Here the required characters
are drawn first and the rest from the union, then the whole is shuffled, all with
``secrets`` (OpenBao instead redraws until the rules hold; both give every rule its due).
Parsing the HCL text is the core's job (``core/password_policies.py``); engines get the
parsed policy, so this module imports nothing above ``framework``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sealbox.errors import InvalidRequest

_MIN_LENGTH, _MAX_LENGTH = 4, 100


@dataclass(frozen=True, slots=True)
class CharsetRule:
    """At least ``min_chars`` characters from ``charset``."""

    charset: str
    min_chars: int = 0


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A validated policy."""

    length: int
    rules: tuple[CharsetRule, ...]

    def validate(self) -> None:
        """400 with OpenBao's messages (checked in its order) when the policy is unusable."""
        if not self.charset():
            raise InvalidRequest("invalid password policy: no charset specified")
        required = sum(rule.min_chars for rule in self.rules)
        if required > self.length:
            raise InvalidRequest(
                f"invalid password policy: specified rules require at least {required} "
                f"characters but {self.length} is specified"
            )
        if not _MIN_LENGTH <= self.length <= _MAX_LENGTH:
            raise InvalidRequest(
                f"passwords must be between {_MIN_LENGTH} and {_MAX_LENGTH} characters"
            )

    def charset(self) -> str:
        """The union of every rule's charset, in first-seen order."""
        return "".join(dict.fromkeys("".join(rule.charset for rule in self.rules)))

    def generate(self) -> str:
        """A fresh password satisfying every rule."""
        union = self.charset()
        chars = [secrets.choice(rule.charset) for rule in self.rules for _ in range(rule.min_chars)]
        chars += [secrets.choice(union) for _ in range(self.length - len(chars))]
        for i in range(len(chars) - 1, 0, -1):
            j = secrets.randbelow(i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        return "".join(chars)

    def to_json(self) -> dict[str, Any]:
        """The stored form next to the policy text."""
        return {
            "length": self.length,
            "rules": [{"charset": r.charset, "min_chars": r.min_chars} for r in self.rules],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PasswordPolicy:
        """Parse the stored form."""
        rules = tuple(
            CharsetRule(str(r["charset"]), int(r.get("min_chars", 0))) for r in data["rules"]
        )
        return cls(int(data["length"]), rules)
