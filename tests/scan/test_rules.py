"""Each built-in rule fires on its provider's token shape and not on look-alikes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.scan import tokens

from sealbox.scan.builtin import BUILTIN_RULES
from sealbox.scan.detect import Detector
from sealbox.scan.entropy import shannon
from sealbox.scan.rules import Rule, RuleError, RuleSet

DETECTOR = Detector(RuleSet(BUILTIN_RULES))


def rules_in(text: str, path: str = "config.txt") -> list[tuple[str, str]]:
    return [(h.rule_id, h.secret) for h in DETECTOR.scan(text.encode(), path)]


PROVIDERS: list[tuple[str, Callable[[], str], str]] = [
    ("aws-access-key-id", tokens.aws_key_id, "key = {t}"),
    ("github-token", tokens.github_pat, "token {t}"),
    ("github-fine-grained-pat", tokens.github_fine_grained, "{t}"),
    ("gitlab-token", tokens.gitlab_pat, "GITLAB={t}"),
    ("slack-token", tokens.slack_bot, "slack {t}"),
    ("slack-webhook", tokens.slack_webhook, "url: {t}"),
    ("stripe-key", tokens.stripe_live, "stripe.api_key = '{t}'"),
    ("google-api-key", tokens.google_api_key, "maps({t})"),
    ("sendgrid-api-key", tokens.sendgrid, "{t}"),
    ("npm-token", tokens.npm_token, "//registry/:_authToken={t}"),
    ("openai-api-key", tokens.openai_key, "OPENAI={t}"),
    ("vault-token", tokens.vault_token, "VAULT_TOKEN={t}"),
    ("telegram-bot-token", tokens.telegram_bot, "bot {t}"),
    ("jwt", tokens.jwt, "Authorization: Bearer {t}"),
    ("private-key", tokens.private_key_pem, "{t}"),
    ("huggingface-token", tokens.huggingface, "huggingface-cli login --token {t}"),
    ("notion-token", tokens.notion, "NOTION={t}"),
    ("azure-ad-client-secret", tokens.azure_ad_secret, "client = {t}"),
    ("sidekiq-credentials", tokens.sidekiq, "export BUNDLE_GEMS__CONTRIBSYS__COM={t}"),
    ("heroku-legacy-api-key", tokens.heroku_uuid, 'HEROKU_API_KEY = "{t}"'),
    ("curl-basic-auth", lambda: "deploy:" + tokens.password(), "curl -u {t} https://api.test"),
    ("netrc-password", tokens.password, "machine api.test login deploy password {t}"),
    ("url-credentials", tokens.password, "remote = https://deploy:{t}@git.example.test/x.git"),
    ("docker-config-auth", lambda: tokens.rand(tokens.ALNUM, 40) + "==", '{{"auth": "{t}"}}'),
    (
        "php-define-secret",
        lambda: tokens.rand(tokens.ALNUM + "<$({{!", 64),
        "define('AUTH_KEY', '{t}');",
    ),
]


@pytest.mark.parametrize(("rule_id", "make", "template"), PROVIDERS, ids=[p[0] for p in PROVIDERS])
def test_provider_rule_finds_its_token(
    rule_id: str, make: Callable[[], str], template: str
) -> None:
    token = make()
    assert rules_in(template.format(t=token)) == [(rule_id, token)]


@pytest.mark.parametrize(
    "text",
    [
        "AKIAXXXXXXXXXXXXXXXX",  # placeholder: entropy under the floor
        "AKIAIOSFODNN7EXAMPLE",  # AWS's documented example key
        "ghp_" + "a" * 36,
        "xAKIA" + "ABCDEFGHIJKLMNOP",  # glued to a word
        "glpat-short",
        "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----",
        "sk_" + "live_",
        "curl -u username:password https://api.test",
        "sumOfExposures = suGyI5imvADdvUx",
        "heroku_app_id = 0d5e1b0c-6b4b-4a7a-9a0e-000000000000x",
    ],
    ids=[
        "aws-x",
        "aws-example",
        "gh-low-entropy",
        "aws-glued",
        "gitlab-short",
        "pem-empty",
        "stripe-bare",
        "curl-placeholder",
        "not-sumo",
        "uuid-not-key",
    ],
)
def test_look_alikes_are_not_findings(text: str) -> None:
    assert rules_in(text) == []


def test_aws_secret_needs_its_assignment() -> None:
    secret = tokens.aws_secret()
    assert rules_in(f"aws_secret_access_key = {secret}") == [("aws-secret-access-key", secret)]
    assert rules_in(f"checksum = {secret}") == []


def test_database_url_reports_the_password_only() -> None:
    password = tokens.password()
    found = rules_in(f"DATABASE_URL=postgresql://app:{password}@db.internal:5432/app")
    assert found == [("database-url-password", password)]
    assert rules_in("DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app") == []
    assert rules_in("mysql://user:password@localhost/db") == []


def test_generic_password_grammars() -> None:
    pw = tokens.password()
    for line, path in [
        (f"DB_PASSWORD={pw}", ".env"),
        (f"export DB_PASSWORD='{pw}'", "deploy.sh"),
        (f"db:\n  password: {pw}", "values.yaml"),
        (f'{{"password": "{pw}"}}', "config.json"),
        (f"db.password = {pw}", "app.properties"),
        (f'password = "{pw}"', "settings.py"),
    ]:
        assert rules_in(line, path) == [("generic-password", pw)], (line, path)


def test_generic_rules_skip_code_references_and_placeholders() -> None:
    for line, path in [
        ("password = request.form.get('password')", "app.py"),
        ("password = get_password()", "app.py"),
        ('password = os.environ["DB_PASSWORD"]', "app.py"),
        ("DB_PASSWORD=${DB_PASSWORD}", ".env"),
        ("password: changeme", "values.yaml"),
        ("password: <your-password>", "values.yaml"),
        ('password = "{{ .Values.password }}"', "tpl.yaml"),
        ("api_key = 'aaaaaaaaaaaaaaaaaaaa'", "x.py"),
    ]:
        assert rules_in(line, path) == [], (line, path)


def test_specific_rule_wins_over_generic_on_the_same_value() -> None:
    token = tokens.github_pat()
    assert rules_in(f'GITHUB_TOKEN="{token}"', ".env") == [("github-token", token)]


def test_ciphertexts_and_sops_files_are_not_findings() -> None:
    body = tokens.rand(tokens.ALNUM, 40)
    assert rules_in(f"password: vault:v1:{body}", "values.yaml") == []
    assert rules_in(f"api_token = 'vault:v1:{body}'", "app.py") == []
    sops = (
        "password: ENC[AES256_GCM,data:" + body + ",iv:abc,tag:def,type:str]\n"
        f"api: {tokens.github_pat()}\n"
        "sops:\n    mac: ENC[AES256_GCM,data:xyz,type:str]\n    version: 3.9.0\n"
    )
    assert rules_in(sops, "secrets.enc.yaml") == []


def test_pragma_on_the_line_allows_it() -> None:
    token = tokens.github_pat()
    assert rules_in(f"token = '{token}'  # sealbox:allow") == []
    assert rules_in(f"token = '{token}'\n# sealbox:allow") == [("github-token", token)]


def test_lock_files_and_binaries_are_skipped() -> None:
    token = tokens.github_pat()
    assert DETECTOR.scan(token.encode(), "web/package-lock.json") == []
    assert DETECTOR.scan(b"\0\1\2" + token.encode(), "blob.bin") == []


def test_positions_are_one_based_and_inclusive() -> None:
    token = tokens.aws_key_id()
    [hit] = DETECTOR.scan(f"a\nbb\n  id={token}\n".encode(), "x.txt")
    assert (hit.start_line, hit.end_line, hit.start_column, hit.end_column) == (3, 3, 6, 25)
    assert hit.line == f"  id={token}"


def test_multiline_private_key_spans_lines() -> None:
    pem = tokens.private_key_pem()
    [hit] = DETECTOR.scan(f"x\n{pem}\n".encode(), "id_rsa")
    assert hit.start_line == 2
    assert hit.end_line == 2 + pem.count("\n")


def test_prefilter_selects_only_rules_whose_keywords_occur() -> None:
    rules = RuleSet(BUILTIN_RULES)
    assert [c.rule.id for c, _ in rules.candidates(b"nothing to see here")] == []
    chosen = {c.rule.id: offsets for c, offsets in rules.candidates(b"x = 'ghp_abc'")}
    assert chosen == {"github-token": [5]}


def test_entropy() -> None:
    assert shannon("") == 0.0
    assert shannon("aaaa") == 0.0
    assert shannon("abcd") == 2.0


def test_rule_errors() -> None:
    with pytest.raises(RuleError, match="invalid regex"):
        RuleSet([Rule("bad", "bad", "(")])
    with pytest.raises(RuleError, match="duplicate"):
        RuleSet([Rule("a", "a", "x"), Rule("a", "a", "y")])
