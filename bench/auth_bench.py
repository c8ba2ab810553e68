"""AppRole and userpass login rates: sealbox (SQLite) vs OpenBao (raft), side by side, with wrk.

Run: ``.venv/bin/python bench/auth_bench.py [--seconds 10] [--connections 32]`` (needs ``wrk``;
``make bench`` installs it). Each server starts from a config file with durable storage (the
same set-up as ``kv_bench.py``), gets an AppRole role with an unlimited-use secret ID and a
userpass user, and is then driven by wrk over keep-alive connections, one server at a time.
Every login issues a real token (and on the first login an entity). userpass logins are bound
by the password hash (both bcrypt cost 10; sealbox runs it in threads), so they measure the
KDF as much as the server. Prints logins/s, p99 latency and the sealbox/OpenBao ratio.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from kv_bench import Server, _call, _openbao, _sealbox, _wrk

_LOGIN_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.path = "{path}"
wrk.body = '{body}'
"""


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _setup(server: Server) -> dict[str, str]:
    """Mount both methods; the wrk scripts for each case."""
    base = f"{server.address}/v1"
    _call("POST", f"{base}/sys/auth/approle", server.token, {"type": "approle"})
    _call(
        "POST",
        f"{base}/auth/approle/role/bench",
        server.token,
        {"token_policies": "default", "token_ttl": "1h"},
    )
    role = _call("GET", f"{base}/auth/approle/role/bench/role-id", server.token)
    secret = _call("POST", f"{base}/auth/approle/role/bench/secret-id", server.token, {})
    role_id = role["data"]["role_id"]  # type: ignore[index]
    secret_id = secret["data"]["secret_id"]  # type: ignore[index]
    _call("POST", f"{base}/sys/auth/userpass", server.token, {"type": "userpass"})
    _call(
        "POST",
        f"{base}/auth/userpass/users/bench",
        server.token,
        {"password": "bench-password", "token_ttl": "1h"},
    )
    # kv_bench._wrk formats the script once more (for the token): double the JSON braces.
    approle_body = _braces(json.dumps({"role_id": role_id, "secret_id": secret_id}))
    userpass_body = _braces(json.dumps({"password": "bench-password"}))
    return {
        "approle login": _LOGIN_LUA.format(path="/v1/auth/approle/login", body=approle_body),
        "userpass login": _LOGIN_LUA.format(
            path="/v1/auth/userpass/login/bench", body=userpass_body
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk, or make bench)")
    results: dict[tuple[str, str], tuple[float, float]] = {}
    cases = ("approle login", "userpass login")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, factory, port in (("sealbox", _sealbox, 18840), ("openbao", _openbao, 18850)):
            workdir = root / name
            workdir.mkdir()
            with factory(workdir, port) as server:
                scripts = _setup(server)
                for case in cases:
                    _wrk(server, scripts[case], 2, args.connections, workdir)  # warm-up
                    results[(name, case)] = _wrk(
                        server, scripts[case], args.seconds, args.connections, workdir
                    )
    print(
        f"{'case':<15} {'sealbox /s':>11} {'p99 ms':>8} {'openbao /s':>11} {'p99 ms':>8} {'ratio':>6}"
    )
    for case in cases:
        ours, theirs = results[("sealbox", case)], results[("openbao", case)]
        print(
            f"{case:<15} {ours[0]:>11,.0f} {ours[1]:>8.2f} {theirs[0]:>11,.0f} {theirs[1]:>8.2f} {ours[0] / theirs[0]:>5.2f}x"
        )


if __name__ == "__main__":
    main()
