"""Stored password policies (``sys/policies/password/<name>``), as OpenBao keeps them.

The policy text (HCL or JSON, OpenBao's format: ``length = 20`` and ``rule "charset" {
charset = "..." min-chars = N }`` blocks) is parsed with the same ordered HCL reader as ACL
policies, so repeated ``rule`` blocks all count. Each record keeps the text (returned by a
read) and the parsed policy (used to generate). Records live under ``sys/password_policy/``
in the barrier.
"""

from __future__ import annotations

from typing import Any

import orjson

from sealbox.core.policy.syntax import Obj, SyntaxProblem, parse_document, to_python
from sealbox.errors import InternalError, InvalidRequest
from sealbox.framework.password_policy import CharsetRule, PasswordPolicy
from sealbox.logical import Storage


def _rule(kind: str, body: Any) -> CharsetRule:
    if kind != "charset":
        raise InvalidRequest(
            f"invalid password policy: unable to parse rules: unable to parse rule {kind}: "
            f"unrecognized rule type {kind}"
        )
    values = to_python(body) if isinstance(body, Obj) else body
    if not isinstance(values, dict) or not isinstance(values.get("charset"), str):
        raise InvalidRequest("invalid password policy: charset rule needs a charset string")
    minimum = values.get("min-chars", values.get("min_chars", 0))
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        raise InvalidRequest("invalid password policy: min-chars must be a non-negative integer")
    return CharsetRule(values["charset"], minimum)


def parse_policy(text: str) -> PasswordPolicy:
    """Parse and validate policy text; 400 with the reason when it is not a usable policy."""
    try:
        root = parse_document(text)
    except SyntaxProblem as err:
        raise InvalidRequest(f"invalid password policy: unable to decode: {err}") from None
    length, rules = 0, []
    for item in root.items:
        key = item.keys[0]
        if key == "length" and len(item.keys) == 1:
            if isinstance(item.value, bool) or not isinstance(item.value, int):
                raise InvalidRequest("invalid password policy: length must be an integer")
            length = item.value
        elif key == "rule" and len(item.keys) == 2:
            rules.append(_rule(item.keys[1], item.value))
        elif key == "rule":
            for block in item.value if isinstance(item.value, list) else [item.value]:
                for sub in block.items if isinstance(block, Obj) else []:
                    rules.append(_rule(sub.keys[0], sub.value))
    policy = PasswordPolicy(length, tuple(rules))
    policy.validate()
    return policy


class PasswordPolicyStore:
    """Password policies over the system storage."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def write(self, name: str, text: str) -> None:
        """Validate and store ``text`` under ``name``."""
        policy = parse_policy(text)
        record = {"policy": text, "parsed": policy.to_json()}
        await self._storage.put(name, orjson.dumps(record))

    async def read_text(self, name: str) -> str | None:
        """The policy text as written, or None."""
        raw = await self._storage.get(name)
        return None if raw is None else str(orjson.loads(raw)["policy"])

    async def get(self, name: str) -> PasswordPolicy | None:
        """The parsed policy, or None."""
        raw = await self._storage.get(name)
        return None if raw is None else PasswordPolicy.from_json(orjson.loads(raw)["parsed"])

    async def generate(self, name: str) -> str:
        """A password from policy ``name`` (the engines' view; 500 when it does not exist)."""
        policy = await self.get(name)
        if policy is None:
            raise InternalError("failed to generate password: no password policy found")
        return policy.generate()

    async def delete(self, name: str) -> None:
        await self._storage.delete(name)

    async def names(self) -> list[str]:
        return sorted(await self._storage.list(""))
