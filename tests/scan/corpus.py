"""A labelled corpus generated at run time: files with known secrets and known decoys.

``build(root)`` writes the files and returns the exact set of findings a correct scanner must
report, as ``(path, line, rule_id)``; everything else in the corpus is a decoy (placeholders,
references, ciphertexts, pragmas, test data shapes) that must not be reported. The benchmark
uses the same generator, so precision and recall figures come from the same labels.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.scan import tokens

Expected = set[tuple[str, int, str]]

_FILLER = [
    "def handler(event, context):",
    "    return {'statusCode': 200, 'body': json.dumps(event)}",
    "for (let i = 0; i < items.length; i++) { total += items[i].price; }",
    "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '1 day';",
    "func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {",
    "# token bucket rate limiter: refill the secret sauce every second",
    "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    "if not token: raise PermissionDenied('missing token')",
    "key = cache_key(user.id, 'profile')",
    "url = f'https://api.example.com/v1/users/{user_id}'",
]

# (path, template lines; "{secret:<kind>}" placeholders become labelled secrets)
_SECRET_FILES: list[tuple[str, list[str], list[tuple[int, str]]]] = []


def _write(root: Path, path: str, lines: list[str]) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n")


def build(root: Path, *, seed: int = 7, filler_files: int = 20) -> Expected:
    """Write the corpus under ``root``; return the labelled true findings."""
    rng = random.Random(seed)
    expected: Expected = set()

    def add(path: str, lines: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        for number, (line, rule) in enumerate(lines, start=1):
            text.append(line)
            if rule is not None:
                expected.add((path, number, rule))
        _write(root, path, text)

    pw = tokens.password()
    add(
        ".env",
        [
            ("# local settings", None),
            (f"DB_PASSWORD={pw}", "generic-password"),
            (f"AWS_ACCESS_KEY_ID={tokens.aws_key_id()}", "aws-access-key-id"),
            (f"AWS_SECRET_ACCESS_KEY={tokens.aws_secret()}", "aws-secret-access-key"),
            ("REDIS_PASSWORD=${REDIS_PASSWORD}", None),
            ("SMTP_PASSWORD=changeme", None),
            (f"STRIPE_KEY={tokens.stripe_live()}", "stripe-key"),
        ],
    )
    add(
        "deploy/values.yaml",
        [
            ("database:", None),
            ("  host: db.internal", None),
            (f"  password: {tokens.password()}", "generic-password"),
            ("  password_file: /run/secrets/db", None),
            (
                f"  url: postgres://app:{tokens.password()}@db.internal:5432/app",
                "database-url-password",
            ),
            ("slack:", None),
            (f"  webhook: {tokens.slack_webhook()}", "slack-webhook"),
            ("vault:", None),
            ("  token: vault:v1:" + tokens.rand(tokens.ALNUM, 44), None),
        ],
    )
    add(
        "src/app/settings.py",
        [
            ("import os", None),
            ('SECRET_KEY = os.environ["SECRET_KEY"]', None),
            (f'GITHUB_TOKEN = "{tokens.github_pat()}"', "github-token"),
            ("password = request.form.get('password')", None),
            (f'OPENAI_API_KEY = "{tokens.openai_key()}"', "openai-api-key"),
            (f'test_token = "{tokens.github_pat()}"  # sealbox:allow', None),
            (f'api_secret = "{tokens.rand(tokens.ALNUM, 32)}"', "generic-secret"),
        ],
    )
    add(
        "web/src/client.ts",
        [
            ("const headers = { Authorization: `Bearer ${token}` };", None),
            (f"const maps = '{tokens.google_api_key()}';", "google-api-key"),
            (f"const jwt = '{tokens.jwt()}';", "jwt"),
            ("const apiKey = process.env.API_KEY;", None),
        ],
    )
    add(
        "ops/ci.sh",
        [
            ("#!/bin/sh", None),
            (f"export NPM_TOKEN={tokens.npm_token()}", "npm-token"),
            (f"curl -H 'X-Vault-Token: {tokens.vault_token()}' $VAULT_ADDR", "vault-token"),
            ('export PASSWORD="$(cat /run/secrets/pw)"', None),
        ],
    )
    add(
        "config/app.properties",
        [
            (f"mail.password={tokens.password()}", "generic-password"),
            ("mail.user=app", None),
            (f"sendgrid.key={tokens.sendgrid()}", "sendgrid-api-key"),
        ],
    )
    add(
        "config/settings.json",
        [
            ("{", None),
            (f'  "gitlab_token": "{tokens.gitlab_pat()}",', "gitlab-token"),
            ('  "password": "",', None),
            ('  "password": "<password>",', None),
            ("}", None),
        ],
    )
    pem = tokens.private_key_pem().splitlines()
    add("keys/deploy_key", [(pem[0], "private-key"), *[(line, None) for line in pem[1:]]])
    add(
        "docs/README.md",
        [
            ("Use AKIAIOSFODNN7EXAMPLE as the example key.", None),
            ("Set `password: <your password>` in values.yaml.", None),
            ("Tokens look like ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.", None),
        ],
    )
    add(
        "secrets.enc.yaml",
        [
            (
                "password: ENC[AES256_GCM,data:"
                + tokens.rand(tokens.ALNUM, 24)
                + ",iv:x,tag:y,type:str]",
                None,
            ),
            (f"note: {tokens.github_pat()}", None),
            ("sops:", None),
            ("    mac: ENC[AES256_GCM,data:" + tokens.rand(tokens.ALNUM, 24) + ",type:str]", None),
        ],
    )
    for index in range(filler_files):
        lines = [rng.choice(_FILLER) for _ in range(rng.randint(20, 60))]
        _write(root, f"src/pkg{index % 4}/module_{index}.py", lines)
    return expected
