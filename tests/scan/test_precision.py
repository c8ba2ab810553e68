"""The precision rules: public Firebase keys, published example values, curl commands over
several lines, redacted tokens and names that point at a vault rather than hold a secret."""

from __future__ import annotations

import hashlib
import random
import string

import pytest
from tests.scan import tokens

from sealbox.scan import known
from sealbox.scan.builtin import BUILTIN_RULES
from sealbox.scan.detect import Detector
from sealbox.scan.entropy import is_identifier
from sealbox.scan.rules import CONTEXT_BYTES, RuleError, RuleSet
from sealbox.scan.userconfig import rules_from_document

DETECTOR = Detector(RuleSet(BUILTIN_RULES))


def found(text: str, path: str = "config.txt") -> list[tuple[str, str]]:
    return [(h.rule_id, h.secret) for h in DETECTOR.scan(text.encode(), path)]


def web_config(key: str) -> str:
    return (
        "const firebaseConfig = {\n"
        f'  apiKey: "{key}",\n'
        '  authDomain: "demo-app.firebaseapp.com",\n'
        '  projectId: "demo-app",\n'
        '  messagingSenderId: "1234567890",\n'
        '  appId: "1:1234567890:web:abcdef"\n'
        "};\n"
    )


def test_firebase_web_config_key_is_public() -> None:
    key = tokens.google_api_key()
    assert found(web_config(key), "web/src/firebase.js") == []


def test_firebase_android_and_ios_configs_are_public() -> None:
    key = tokens.google_api_key()
    services = (
        '{"project_info": {"project_number": "1", "firebase_url": "https://demo.firebaseio.com"},'
        f' "client": [{{"api_key": [{{"current_key": "{key}"}}]}}]}}'
    )
    plist = (
        f"<dict>\n<key>API_KEY</key>\n<string>{key}</string>\n"
        "<key>GCM_SENDER_ID</key>\n<string>1234567890</string>\n</dict>\n"
    )
    assert found(services, "app/google-services.json") == []
    assert found(plist, "ios/GoogleService-Info.plist") == []


def test_google_key_outside_a_firebase_config_is_a_finding() -> None:
    key = tokens.google_api_key()
    assert found(f'MAPS_KEY = "{key}"\n', "server/geo.py") == [("google-api-key", key)]
    # The same file may hold a public web config and, far from it, a server key.
    server = tokens.google_api_key()
    text = web_config(tokens.google_api_key()) + "#\n" * CONTEXT_BYTES + f'KEY = "{server}"\n'
    assert found(text, "app.py") == [("google-api-key", server)]


def test_published_example_values_are_allowlisted_by_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published, other = tokens.google_api_key(), tokens.google_api_key()
    assert found(f"key {published}") == [("google-api-key", published)]
    digest = hashlib.sha256(published.encode()).hexdigest()
    monkeypatch.setattr(known, "PUBLIC_VALUE_DIGESTS", known.PUBLIC_VALUE_DIGESTS | {digest})
    assert found(f"key {published}") == []
    assert found(f"key {other}") == [("google-api-key", other)]
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in known.PUBLIC_VALUE_DIGESTS)


def test_redacted_slack_token_is_not_a_finding() -> None:
    digits = [tokens.rand("0123456789", 12) for _ in range(3)]
    redacted = "xoxp-" + "-".join(digits) + "-" + "#" * 20
    assert found(f'"token": "{redacted}"') == []
    whole = tokens.slack_bot()
    assert found(f'"token": "{whole}"') == [("slack-token", whole)]


def test_curl_credentials_on_continuation_lines() -> None:
    password = tokens.password()
    command = f"curl -X POST https://api.test/token \\\n  -d 'x=1' \\\n  -u deploy:{password}\n"
    assert found(command, "run.sh") == [("curl-basic-auth", f"deploy:{password}")]
    bearer = tokens.rand(tokens.ALNUM, 32)
    header = f'curl https://api.test \\\n  -H "Authorization: Bearer {bearer}" \\\n  -d x\n'
    assert found(header, "run.sh") == [("curl-auth-header", bearer)]
    # Not one command: the next line is not joined to the curl line.
    assert found(f"curl https://api.test\nhttp -u deploy:{password}\n", "run.sh") == []


def test_curl_shell_expansions_are_not_credentials() -> None:
    for line in [
        'curl -sL --user "$USER:$PASS" "$URL"',
        'curl -u "${username}:${password}" https://api.test',
        'curl --user "$(cat ./login.txt):$(cat ./password.txt)"',
    ]:
        assert found(line, "run.sh") == [], line
    literal = tokens.password()[:8] + "$1" + tokens.password()[:4]
    assert found(f"curl -u elastic:{literal} https://es:9200", "run.sh") == [
        ("curl-basic-auth", f"elastic:{literal}")
    ]


def test_provider_token_in_a_curl_header_is_reported_once() -> None:
    token = tokens.vault_token()
    assert found(f"curl -H 'X-Vault-Token: {token}' https://vault", "ci.sh") == [
        ("vault-token", token)
    ]


def test_key_vault_names_are_not_secrets() -> None:
    assert found("  keyVaultToStoreSecrets: prod-kv-1208358310\n", "op.yaml") == []
    assert found("key_vault_secret_name: app-db-password-4711\n", "op.yaml") == []


def test_flyio_org_token() -> None:
    token = "fo1_" + tokens.rand(tokens.URLSAFE.replace("-", ""), 43)
    assert found(f"FLY_API_TOKEN={token}", ".env") == [("flyio-token", token)]
    assert found('api_key = "fo1_' + "x" * 43 + '"', "main.tf") == []


@pytest.mark.parametrize(
    "value",
    [
        "InvalidationList.NextMarker",
        "ExclusiveStartShardId",
        "Access-Control-Allow-Credentials",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "$request.header.x-api-key",
    ],
)
def test_identifier_values_are_not_generic_secrets(value: str) -> None:
    assert is_identifier(value)
    assert found(f'"output_token": "{value}",', "paginators.json") == []


def test_random_tokens_are_not_identifiers() -> None:
    rng = random.Random(5)
    letters = ["".join(rng.choice(string.ascii_letters) for _ in range(24)) for _ in range(2000)]
    assert sum(is_identifier(t) for t in letters) < 40  # under 2 % of letters-only tokens
    token = tokens.rand(tokens.ALNUM, 32)
    assert not is_identifier(token) or not any(c.isdigit() for c in token)
    assert found(f'"api_token": "{token}"', "x.json") == [("generic-secret", token)]
    # Passwords keep their words: a weak password is a finding.
    assert found("DB_PASSWORD=CorrectHorseBatteryStaple", ".env") == [
        ("generic-password", "CorrectHorseBatteryStaple")
    ]


def test_user_rule_context_allowlist() -> None:
    rules = rules_from_document(
        {
            "extend": {"builtin": False},
            "rules": [
                {
                    "id": "acme",
                    "regex": "acme_(?P<secret>[0-9a-f]{32})",
                    "keywords": ["acme_"],
                    "multiline": False,
                    "allowlist": {"context": ["ACME_SANDBOX"]},
                }
            ],
        }
    )
    detector = Detector(rules)
    value = tokens.rand("0123456789abcdef", 32)
    assert [h.secret for h in detector.scan(f"key = acme_{value}\n".encode(), "a.txt")] == [value]
    assert detector.scan(f"# ACME_SANDBOX\nkey = acme_{value}\n".encode(), "a.txt") == []
    with pytest.raises(RuleError, match="context belongs in a rule"):
        rules_from_document({"allowlist": {"context": ["x"]}})
