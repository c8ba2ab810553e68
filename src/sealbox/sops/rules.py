"""Which values are encrypted: the six mutually exclusive rules of SOPS metadata.

Mirrors ``Metadata.shouldBeEncrypted`` (sops.go): suffix and regex rules look at every mapping
key on the path to a leaf, comment-regex rules at the comments that precede an item at each
nesting level. Without any rule ``unencrypted_suffix: _unencrypted`` is implied. Go uses RE2 with
an unanchored ``Match``; Python's ``re.search`` agrees on the patterns people write.
"""

from __future__ import annotations

import re

from sealbox.sops.errors import SopsError
from sealbox.sops.record import FrozenRecord

DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"


class EncryptionRules(FrozenRecord):
    """At most one field is set; the metadata field names are the attribute names.

    A plain class rather than a dataclass: see ``sealbox.sops.record``.
    """

    _fields = (
        "unencrypted_suffix",
        "encrypted_suffix",
        "unencrypted_regex",
        "encrypted_regex",
        "unencrypted_comment_regex",
        "encrypted_comment_regex",
    )
    __slots__ = _fields
    unencrypted_suffix: str
    encrypted_suffix: str
    unencrypted_regex: str
    encrypted_regex: str
    unencrypted_comment_regex: str
    encrypted_comment_regex: str

    def __init__(
        self,
        unencrypted_suffix: str = "",
        encrypted_suffix: str = "",
        unencrypted_regex: str = "",
        encrypted_regex: str = "",
        unencrypted_comment_regex: str = "",
        encrypted_comment_regex: str = "",
    ) -> None:
        self._set(
            unencrypted_suffix=unencrypted_suffix,
            encrypted_suffix=encrypted_suffix,
            unencrypted_regex=unencrypted_regex,
            encrypted_regex=encrypted_regex,
            unencrypted_comment_regex=unencrypted_comment_regex,
            encrypted_comment_regex=encrypted_comment_regex,
        )
        if sum(1 for value in self._values() if value) > 1:
            raise SopsError(
                "Cannot use more than one of encrypted_suffix, unencrypted_suffix, "
                "encrypted_regex, unencrypted_regex, encrypted_comment_regex "
                "or unencrypted_comment_regex"
            )
        for name in (
            "unencrypted_regex",
            "encrypted_regex",
            "unencrypted_comment_regex",
            "encrypted_comment_regex",
        ):
            pattern = getattr(self, name)
            if pattern:
                try:
                    re.compile(pattern)
                except re.error as err:
                    raise SopsError(f"invalid {name}: {err}") from err

    def is_empty(self) -> bool:
        return not any(self._values())

    def with_default(self) -> EncryptionRules:
        """These rules, or ``unencrypted_suffix: _unencrypted`` when none is set."""
        if self.is_empty():
            return EncryptionRules(unencrypted_suffix=DEFAULT_UNENCRYPTED_SUFFIX)
        return self

    def as_metadata(self) -> dict[str, str]:
        return {name: value for name in self._fields if (value := getattr(self, name))}

    def matcher(self) -> RuleMatcher:
        return RuleMatcher(self)


RULE_FIELDS: tuple[str, ...] = EncryptionRules._fields
"""The rule names, in the order of ``EncryptionRules``'s arguments."""


class RuleMatcher:
    """Compiled form of the rules, queried once per value while walking a tree."""

    __slots__ = ("_comment_regex", "_default", "_kind", "_regex", "_suffix")

    def __init__(self, rules: EncryptionRules):
        self._suffix = rules.unencrypted_suffix or rules.encrypted_suffix
        pattern = rules.unencrypted_regex or rules.encrypted_regex
        self._regex = re.compile(pattern) if pattern else None
        comment = rules.unencrypted_comment_regex or rules.encrypted_comment_regex
        self._comment_regex = re.compile(comment) if comment else None
        # "encrypted_*" rules make plain the default and encrypt on a match.
        self._default = not (
            rules.encrypted_suffix or rules.encrypted_regex or rules.encrypted_comment_regex
        )
        self._kind = (
            "suffix" if self._suffix else "regex" if self._regex else "comment" if comment else ""
        )

    @property
    def uses_comments(self) -> bool:
        return self._comment_regex is not None

    def is_marker(self, comment: str) -> bool:
        """Whether a comment is itself a comment-regex marker (markers stay in clear)."""
        return self._comment_regex is not None and bool(self._comment_regex.search(comment))

    def should_encrypt(self, path: tuple[str, ...], comments: tuple[str, ...]) -> bool:
        """Whether the value at ``path`` (with active ``comments``) is encrypted."""
        if self._kind == "suffix":
            hit = any(key.endswith(self._suffix) for key in path)
        elif self._regex is not None:
            hit = any(self._regex.search(key) for key in path)
        elif self._comment_regex is not None:
            hit = any(self._comment_regex.search(text) for text in comments)
        else:
            return True
        return not hit if self._default else hit
