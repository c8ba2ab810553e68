"""sys/policies/password against ``bao server -dev`` and sealbox: same statuses, same
messages (OpenBao wraps them in "1 error occurred" lists, which are stripped), and
generated passwords that satisfy the policy on both."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from tests.compat.conftest import ServerProcess
from tests.compat.database.conftest import Api

pytestmark = [pytest.mark.compat, pytest.mark.slow]

_POLICY = (
    'length = 12\nrule "charset" {\n  charset = "abc"\n  min-chars = 2\n}\n'
    'rule "charset" {\n  charset = "0123456789"\n  min-chars = 3\n}\n'
)
_BAD = {
    "no-charset": "length = 10",
    "too-short": 'length = 2\nrule "charset" {\n charset = "ab"\n min-chars = 3\n}',
    "too-long": 'length = 200\nrule "charset" {\n charset = "a"\n}',
    "unknown-rule": 'length = 10\nrule "charset" {\n charset = "a"\n}\nrule "bogus" {\n x = 1\n}',
}


def _plain(message: str) -> str:
    """OpenBao's multierror text without its "N error occurred" wrappers."""
    return re.sub(r"\d+ errors? occurred:\s*\*\s*", "", message).strip()


def _scenario(api: Api) -> dict[str, Any]:
    name = f"pp-{uuid.uuid4().hex[:6]}"
    seen: dict[str, Any] = {
        "write": api("POST", f"sys/policies/password/{name}", {"policy": _POLICY})
    }
    seen["read"] = api.ok("GET", f"sys/policies/password/{name}")["data"]
    passwords = [
        api.ok("GET", f"sys/policies/password/{name}/generate")["data"]["password"]
        for _ in range(20)
    ]
    seen["generated_ok"] = all(
        len(p) == 12 and sum(c in "abc" for c in p) >= 2 and sum(c.isdigit() for c in p) >= 3
        for p in passwords
    )
    seen["listed"] = name in api.ok("LIST", "sys/policies/password")["data"]["keys"]
    seen["missing"] = api("POST", f"sys/policies/password/{name}-x", {})[0]
    seen["unknown_read"] = api("GET", f"sys/policies/password/{name}-nosuch")[0]
    seen["unknown_generate"] = api("GET", f"sys/policies/password/{name}-nosuch/generate")[0]
    for case, text in _BAD.items():
        status, body = api("POST", f"sys/policies/password/{name}-{case}", {"policy": text})
        seen[case] = (status, body["errors"][0])
    seen["delete"] = api("DELETE", f"sys/policies/password/{name}")
    seen["gone"] = api("GET", f"sys/policies/password/{name}")[0]
    return seen


def test_password_policies_match_openbao(
    bao_server: ServerProcess, sealbox_server: ServerProcess
) -> None:
    bao, ours = _scenario(Api(bao_server)), _scenario(Api(sealbox_server))
    for key, expected in bao.items():
        if key in _BAD:
            assert ours[key][0] == expected[0], key
            assert ours[key][1] == _plain(expected[1]), key
        else:
            assert ours[key] == expected, key
