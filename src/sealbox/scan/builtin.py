"""The built-in rules: token shapes that providers document, plus loose assignment rules.

Provider rules match a documented prefix and alphabet (``AKIA`` + 16 base32 characters,
``ghp_`` + 36 alphanumerics, ...), so they need no entropy floor beyond weeding out
``AKIAXXXXXXXXXXXXXXXX``-style placeholders. The generic rules find ``password = "..."``-style
assignments in code and config (.env, YAML, JSON, properties, shell); they are marked generic,
so the detector drops them where a provider rule matched the same text, asks for a quoted value
in code files, and applies an entropy floor and placeholder stopwords.
"""

from __future__ import annotations

from sealbox.scan.builtin_services import MORE_PROVIDER_RULES
from sealbox.scan.known import FIREBASE_CONFIG_CONTEXT
from sealbox.scan.rules import Rule
from sealbox.scan.shapes import ASSIGN, PLACEHOLDERS, TEMPLATE_FIELD, token

PROVIDER_RULES: tuple[Rule, ...] = (
    Rule(
        "aws-access-key-id",
        "AWS access key ID",
        token("(?:AKIA|ASIA|ABIA|ACCA)", "[A-Z2-7]{16}"),
        ("akia", "asia", "abia", "acca"),
        entropy=3.0,
        stopwords=("example",),
    ),
    Rule(
        "aws-secret-access-key",
        "AWS secret access key",
        r"(?i)(?P<name>aws_?(?:secret_?access_?key|secret_?key|secret))"
        + ASSIGN
        + r"""["']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])""",
        ("aws",),
        entropy=4.0,
        stopwords=PLACEHOLDERS,
    ),
    Rule(
        "github-token",
        "GitHub token (personal, OAuth, app, refresh)",
        token("gh[pousr]_", "[A-Za-z0-9]{36}"),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        entropy=3.0,
    ),
    Rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        token("github_pat_", "[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
        ("github_pat_",),
        entropy=3.0,
    ),
    Rule(
        "gitlab-token",
        "GitLab token (personal, deploy, runner, pipeline trigger, CI job)",
        token("(?:glpat|gldt|glrt|glptt|glcbt|glsoat|glft)-", "[A-Za-z0-9_-]{20,}"),
        ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-", "glft-"),
        entropy=3.0,
    ),
    Rule(
        "bitbucket-app-password",
        "Bitbucket app password",
        token("ATBB", "[A-Za-z0-9_=.-]{32}"),
        ("atbb",),
        entropy=3.0,
    ),
    Rule(
        "circleci-token",
        "CircleCI personal API token",
        token("CCIPAT_", "[A-Za-z0-9]{22}_[a-f0-9]{40}"),
        ("ccipat_",),
    ),
    Rule(
        "npm-token",
        "npm access token",
        token("npm_", "[A-Za-z0-9]{36}"),
        ("npm_",),
        entropy=3.0,
    ),
    Rule(
        "pypi-token",
        "PyPI upload token",
        token("pypi-AgEIcHlwaS5vcmc", "[A-Za-z0-9_-]{50,}"),
        ("pypi-ageichlwas5vcmc",),
    ),
    Rule(
        "slack-token",
        "Slack token",
        # A Slack token never ends in "-": a dash before the boundary is a truncated token.
        r"(?<![A-Za-z0-9_])(?P<secret>xox[abposre]-(?:[0-9]-)?[0-9]{6,13}-[0-9A-Za-z-]{7,}"
        r"[0-9A-Za-z])(?![A-Za-z0-9_-])",
        ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-"),
        entropy=2.5,
    ),
    Rule(
        "slack-webhook",
        "Slack incoming webhook URL",
        r"(?P<secret>https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{40,})",
        ("hooks.slack.com",),
    ),
    Rule(
        "discord-webhook",
        "Discord webhook URL",
        r"(?P<secret>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68})",
        ("discord",),
    ),
    Rule(
        "telegram-bot-token",
        "Telegram bot token",
        token("", "[0-9]{8,10}:AA[0-9A-Za-z_-]{33}"),
        (":aa",),
        entropy=3.0,
    ),
    Rule(
        "stripe-key",
        "Stripe secret or restricted key",
        token("(?:sk|rk)_(?:live|test|prod)_", "[0-9A-Za-z]{24,99}"),
        ("sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"),
        entropy=3.0,
    ),
    Rule(
        "square-token",
        "Square access token or OAuth secret",
        token("(?:EAAA|sq0atp-|sq0csp-)", "[0-9A-Za-z_-]{22,60}"),
        ("eaaa", "sq0atp-", "sq0csp-"),
        entropy=3.5,
    ),
    Rule(
        "sendgrid-api-key",
        "SendGrid API key",
        token(r"SG\.", r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
        ("sg.",),
        entropy=3.5,
    ),
    Rule(
        "twilio-api-key",
        "Twilio API key SID",
        token("SK", "[0-9a-fA-F]{32}"),
        ("sk",),
        entropy=3.0,
    ),
    Rule(
        "mailgun-api-key",
        "Mailgun private API key",
        token("key-", "[0-9a-z]{32}"),
        ("key-",),
        entropy=3.5,
    ),
    Rule(
        "google-api-key",
        "Google API key",
        token("AIza", "[0-9A-Za-z_-]{35}"),
        ("aiza",),
        entropy=3.0,
        context_allow=FIREBASE_CONFIG_CONTEXT,
    ),
    Rule(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        token("GOCSPX-", "[A-Za-z0-9_-]{28}"),
        ("gocspx-",),
    ),
    Rule(
        "openai-api-key",
        "OpenAI API key",
        token("sk-(?:proj-|svcacct-|admin-)?", "[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74}"),
        ("t3blbkfj",),
    ),
    Rule(
        "anthropic-api-key",
        "Anthropic API key",
        token("sk-ant-(?:api|admin)0[0-9]-", "[A-Za-z0-9_-]{93}AA"),
        ("sk-ant-",),
    ),
    Rule(
        "digitalocean-token",
        "DigitalOcean token",
        token("do[opr]_v1_", "[a-f0-9]{64}"),
        ("dop_v1_", "doo_v1_", "dor_v1_"),
    ),
    Rule(
        "shopify-token",
        "Shopify access token or shared secret",
        token("shp(?:at|ca|pa|ss)_", "[a-fA-F0-9]{32}"),
        ("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    Rule(
        "azure-storage-key",
        "Azure storage account key in a connection string",
        r"(?i)AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)",
        ("accountkey=",),
    ),
    Rule(
        "vault-token",
        "HashiCorp Vault / OpenBao service or batch token",
        token(r"hv[sb]\.", "[A-Za-z0-9_-]{24,}"),
        ("hvs.", "hvb."),
        entropy=3.5,
    ),
    Rule(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise API token",
        token("", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
        ("atlasv1",),
        entropy=3.5,
    ),
    Rule(
        "doppler-token",
        "Doppler token",
        token(r"dp\.(?:pt|st|sa|ct|scim|audit)\.", "[A-Za-z0-9]{40,44}"),
        ("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."),
    ),
    Rule(
        "private-key",
        "Private key (PEM)",
        r"(?P<secret>-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----[\s\S]{64,}?"
        r"-----END[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----)",
        ("private key",),
        multiline=True,
    ),
    Rule(
        "jwt",
        "JSON Web Token",
        token("", r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}"),
        ("eyj",),
        entropy=3.0,
    ),
    Rule(
        "database-url-password",
        "Database or broker URL with a password",
        r"(?i)(?P<name>\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]+))"
        r"://[^:@/\s'\"]{1,64}:(?P<secret>[^@/\s'\"]{3,128})@[A-Za-z0-9.\-\[\]_]+",
        ("://",),
        stopwords=("password", "pass", "secret", *PLACEHOLDERS),
        allow_regexes=(r"^\*+$", r"^\$", r"^%", TEMPLATE_FIELD),
    ),
)

_PASSWORD_KEY = r"[A-Za-z0-9_.-]{0,40}?(?:password|passwd|passphrase|pwd)[A-Za-z0-9_.-]{0,20}"
_SECRET_KEY = (
    r"[A-Za-z0-9_.-]{0,40}?(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|"
    r"private[_.-]?key|credentials?|client[_.-]?secret)[A-Za-z0-9_.-]{0,20}"
)
# Values that name a file or a credential-free URL, not a secret.
_NOT_VALUES = (
    r"^(?:/|\./|\.\./|~/)[\w./-]*$",
    r"^[a-z][a-z0-9+.-]*://[^@]*$",
    # A value with a provider's prefix is that provider rule's to judge: when it rejected the
    # value (wrong length, placeholder), a loose rule must not report it anyway.
    r"^(?:xox[a-z]-|ops_eyJ|dapi|gh[pousr]_|github_pat_|glpat-|sk_live_|sk_test_|AKIA|AIza|hvs\.)",
)
# Keys that name an identifier or a location next to a credential, not the credential.
_NOT_SECRET_NAMES = (
    r"(?i)(?:id|ids|name|names|url|uri|file|path|type|version|length|count|size|prefix)$",
    r"(?i)^(?:public|publishable|csrf|xsrf)",
    # An Azure Key Vault's name or id (keyVaultName, key_vault_id, keyVaultToStoreSecrets).
    r"(?i)^key[_.-]?vault",
)
# A value: quoted (group q) or bare up to whitespace, a comment or a separator.
_VALUE = r"""(?P<q>["'`]?)(?P<secret>[^\s"'`;,<>(){}\[\]]{%d,200})(?P=q)"""

GENERIC_RULES: tuple[Rule, ...] = (
    Rule(
        "generic-password",
        "Password assigned in code or configuration",
        rf"(?i)(?<![A-Za-z0-9])(?P<name>{_PASSWORD_KEY})"
        + ASSIGN
        + (_VALUE % 6)
        + r"(?![^\s,;)\]}])",
        ("password", "passwd", "passphrase", "pwd"),
        entropy=2.8,
        stopwords=(
            *PLACEHOLDERS,
            "password",
            "passwd",
            "null",
            "none",
            "true",
            "false",
            "undefined",
        ),
        allow_regexes=_NOT_VALUES,
        allow_names=_NOT_SECRET_NAMES,
        generic=True,
    ),
    Rule(
        "generic-secret",
        "Secret, token or API key assigned in code or configuration",
        rf"(?i)(?<![A-Za-z0-9])(?P<name>{_SECRET_KEY})"
        + ASSIGN
        + (_VALUE % 12)
        + r"(?![^\s,;)\]}])",
        ("secret", "token", "key", "credential"),
        entropy=3.5,
        stopwords=(*PLACEHOLDERS, "secret", "token", "null", "none", "true", "false", "undefined"),
        allow_regexes=_NOT_VALUES,
        allow_names=_NOT_SECRET_NAMES,
        generic=True,
        # "output_token": "DistributionList.NextMarker" names a field; passwords are left alone
        # (a weak password is often made of words).
        skip_identifiers=True,
    ),
)

BUILTIN_RULES: tuple[Rule, ...] = PROVIDER_RULES + MORE_PROVIDER_RULES + GENERIC_RULES
