"""The built-in rules: token shapes that providers document, plus loose assignment rules.

Provider rules match a documented prefix and alphabet (``AKIA`` + 16 base32 characters,
``ghp_`` + 36 alphanumerics, ...), so they need no entropy floor beyond weeding out
``AKIAXXXXXXXXXXXXXXXX``-style placeholders. The generic rules find ``password = "..."``-style
assignments in code and config (.env, YAML, JSON, properties, shell); they are marked generic,
so the detector drops them where a provider rule matched the same text, asks for a quoted value
in code files, and applies an entropy floor and placeholder stopwords.
"""

from __future__ import annotations

from sealbox.scan.rules import Rule

# Where a token must not be glued to surrounding word characters.
_L = r"(?<![A-Za-z0-9_])"
_R = r"(?![A-Za-z0-9_])"
# The assignment operators of the formats we read: = := : => (and a quoted key's closing quote).
_ASSIGN = r"""["']?\s{0,5}(?::::=|::=|:=|\?=|=>|=|:)\s{0,5}"""
_PLACEHOLDERS = (
    "example",
    "xxxx",
    "****",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your_",
    "your-",
    "yourpassword",
    "redacted",
    "dummy",
    "sample",
    "<",
    "${",
    "{{",
    "$(",
    "%(",
    "process.env",
    "os.environ",
    "getenv",
)


def _token(prefix: str, body: str) -> str:
    return f"{_L}(?P<secret>{prefix}{body}){_R}"


PROVIDER_RULES: tuple[Rule, ...] = (
    Rule(
        "aws-access-key-id",
        "AWS access key ID",
        _token("(?:AKIA|ASIA|ABIA|ACCA)", "[A-Z2-7]{16}"),
        ("akia", "asia", "abia", "acca"),
        entropy=3.0,
        stopwords=("example",),
    ),
    Rule(
        "aws-secret-access-key",
        "AWS secret access key",
        r"(?i)(?P<name>aws_?(?:secret_?access_?key|secret_?key|secret))"
        + _ASSIGN
        + r"""["']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])""",
        ("aws",),
        entropy=4.0,
        stopwords=_PLACEHOLDERS,
    ),
    Rule(
        "github-token",
        "GitHub token (personal, OAuth, app, refresh)",
        _token("gh[pousr]_", "[A-Za-z0-9]{36}"),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        entropy=3.0,
    ),
    Rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        _token("github_pat_", "[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
        ("github_pat_",),
        entropy=3.0,
    ),
    Rule(
        "gitlab-token",
        "GitLab token (personal, deploy, runner, pipeline trigger, CI job)",
        _token("(?:glpat|gldt|glrt|glptt|glcbt|glsoat|glft)-", "[A-Za-z0-9_-]{20,}"),
        ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-", "glft-"),
        entropy=3.0,
    ),
    Rule(
        "bitbucket-app-password",
        "Bitbucket app password",
        _token("ATBB", "[A-Za-z0-9_=.-]{32}"),
        ("atbb",),
        entropy=3.0,
    ),
    Rule(
        "circleci-token",
        "CircleCI personal API token",
        _token("CCIPAT_", "[A-Za-z0-9]{22}_[a-f0-9]{40}"),
        ("ccipat_",),
    ),
    Rule(
        "npm-token",
        "npm access token",
        _token("npm_", "[A-Za-z0-9]{36}"),
        ("npm_",),
        entropy=3.0,
    ),
    Rule(
        "pypi-token",
        "PyPI upload token",
        _token("pypi-AgEIcHlwaS5vcmc", "[A-Za-z0-9_-]{50,}"),
        ("pypi-ageichlwas5vcmc",),
    ),
    Rule(
        "slack-token",
        "Slack token",
        _token("xox[abposre]-", "(?:[0-9]-)?[0-9]{8,13}-[0-9A-Za-z-]{8,}"),
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
        _token("", "[0-9]{8,10}:AA[0-9A-Za-z_-]{33}"),
        (":aa",),
        entropy=3.0,
    ),
    Rule(
        "stripe-key",
        "Stripe secret or restricted key",
        _token("(?:sk|rk)_(?:live|test|prod)_", "[0-9A-Za-z]{24,99}"),
        ("sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"),
        entropy=3.0,
    ),
    Rule(
        "square-token",
        "Square access token or OAuth secret",
        _token("(?:EAAA|sq0atp-|sq0csp-)", "[0-9A-Za-z_-]{22,60}"),
        ("eaaa", "sq0atp-", "sq0csp-"),
        entropy=3.5,
    ),
    Rule(
        "sendgrid-api-key",
        "SendGrid API key",
        _token(r"SG\.", r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
        ("sg.",),
        entropy=3.5,
    ),
    Rule(
        "twilio-api-key",
        "Twilio API key SID",
        _token("SK", "[0-9a-fA-F]{32}"),
        ("sk",),
        entropy=3.0,
    ),
    Rule(
        "mailgun-api-key",
        "Mailgun private API key",
        _token("key-", "[0-9a-z]{32}"),
        ("key-",),
        entropy=3.5,
    ),
    Rule(
        "google-api-key",
        "Google API key",
        _token("AIza", "[0-9A-Za-z_-]{35}"),
        ("aiza",),
        entropy=3.0,
    ),
    Rule(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        _token("GOCSPX-", "[A-Za-z0-9_-]{28}"),
        ("gocspx-",),
    ),
    Rule(
        "openai-api-key",
        "OpenAI API key",
        _token("sk-(?:proj-|svcacct-|admin-)?", "[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74}"),
        ("t3blbkfj",),
    ),
    Rule(
        "anthropic-api-key",
        "Anthropic API key",
        _token("sk-ant-(?:api|admin)0[0-9]-", "[A-Za-z0-9_-]{93}AA"),
        ("sk-ant-",),
    ),
    Rule(
        "digitalocean-token",
        "DigitalOcean token",
        _token("do[opr]_v1_", "[a-f0-9]{64}"),
        ("dop_v1_", "doo_v1_", "dor_v1_"),
    ),
    Rule(
        "shopify-token",
        "Shopify access token or shared secret",
        _token("shp(?:at|ca|pa|ss)_", "[a-fA-F0-9]{32}"),
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
        _token(r"hv[sb]\.", "[A-Za-z0-9_-]{24,}"),
        ("hvs.", "hvb."),
        entropy=3.5,
    ),
    Rule(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise API token",
        _token("", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
        ("atlasv1",),
        entropy=3.5,
    ),
    Rule(
        "doppler-token",
        "Doppler token",
        _token(r"dp\.(?:pt|st|sa|ct|scim|audit)\.", "[A-Za-z0-9]{40,44}"),
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
        _token("", r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}"),
        ("eyj",),
        entropy=3.0,
    ),
    Rule(
        "database-url-password",
        "Database or broker URL with a password",
        r"(?i)(?P<name>\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]+))"
        r"://[^:@/\s'\"]{1,64}:(?P<secret>[^@/\s'\"]{3,128})@[A-Za-z0-9.\-\[\]_]+",
        ("://",),
        stopwords=("password", "pass", "secret", *_PLACEHOLDERS),
        allow_regexes=(r"^\*+$", r"^\$", r"^%"),
    ),
)

_UUID = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_B64URL = "[A-Za-z0-9+/=_-]"


def _keyed(name: str, value: str) -> str:
    """A provider-named assignment whose value has a known shape."""
    return (
        rf"(?i:(?P<name>{name}[A-Za-z0-9_.-]{{0,30}})"
        + _ASSIGN
        + rf"""["'`]?(?P<secret>{value})(?![A-Za-z0-9]))"""
    )


MORE_PROVIDER_RULES: tuple[Rule, ...] = (
    Rule(
        "huggingface-token",
        "Hugging Face access or organisation token",
        _token("(?:hf_|api_org_)", "[A-Za-z]{34}"),
        ("hf_", "api_org_"),
        entropy=3.0,
    ),
    Rule(
        "1password-service-account",
        "1Password service account token",
        _token("ops_eyJ", _B64URL + "{100,}"),
        ("ops_eyj",),
        entropy=3.5,
    ),
    Rule(
        "notion-token",
        "Notion integration token",
        _token("ntn_", "[0-9]{11}[A-Za-z0-9]{35}"),
        ("ntn_",),
    ),
    Rule(
        "sourcegraph-token",
        "Sourcegraph access token",
        _token("sgp_", "(?:local_|[A-Fa-f0-9]{16}_)?[A-Fa-f0-9]{40}"),
        ("sgp_",),
        entropy=3.2,
    ),
    Rule(
        "sentry-token",
        "Sentry organisation or user token",
        _token("(?:sntrys_eyJ|sntryu_)", _B64URL + "{60,}"),
        ("sntrys_", "sntryu_"),
    ),
    Rule(
        "grafana-token",
        "Grafana Cloud or service account token",
        _token("(?:glc_eyJ|glsa_)", "[A-Za-z0-9+/=_-]{32,}"),
        ("glc_", "glsa_"),
        entropy=3.0,
    ),
    Rule(
        "openshift-token",
        "OpenShift user token",
        _token("sha256~", "[A-Za-z0-9_-]{43}"),
        ("sha256~",),
        entropy=3.5,
    ),
    Rule(
        "facebook-token",
        "Facebook (Meta) access token",
        _token("EAA[MC]", "[A-Za-z0-9]{90,}"),
        ("eaam", "eaac"),
        entropy=3.5,
    ),
    Rule(
        "flyio-token",
        "Fly.io API token",
        r"(?P<secret>FlyV1 fm[12][ar]?_" + _B64URL + "{80,})",
        ("flyv1",),
    ),
    Rule("heroku-api-key", "Heroku API key", _token("HRKU-AA", "[0-9A-Za-z_-]{58}"), ("hrku-",)),
    Rule("heroku-legacy-api-key", "Heroku API key (UUID)", _keyed("heroku", _UUID), ("heroku",)),
    Rule(
        "provider-uuid-key",
        "UUID-shaped API key of a named provider (Snyk, HubSpot, MessageBird)",
        _keyed("(?:snyk|hubspot|messagebird)", _UUID),
        ("snyk", "hubspot", "messagebird"),
    ),
    Rule(
        "sonarqube-token",
        "SonarQube / SonarCloud token",
        _keyed("sonar", "(?:sq[pau]_)?[A-Za-z0-9]{40}"),
        ("sonar",),
    ),
    Rule(
        "sumologic-access-id",
        "Sumo Logic access ID",
        _keyed("sumo(?:logic)?[_.-]?access[_.-]?id", "su[A-Za-z0-9]{12}"),
        ("sumo",),
        entropy=3.0,
    ),
    Rule(
        "mailchimp-api-key",
        "Mailchimp API key",
        _token("", "[0-9a-f]{32}-us[0-9]{1,2}"),
        ("-us",),
        entropy=3.0,
    ),
    Rule(
        "alibaba-access-key",
        "Alibaba Cloud AccessKey ID",
        _token("LTAI", "[A-Za-z0-9]{20}"),
        ("ltai",),
        entropy=3.0,
    ),
    Rule(
        "easypost-api-key",
        "EasyPost API key",
        _token("EZ[AT]K", "[A-Za-z0-9]{54}"),
        ("ezak", "eztk"),
    ),
    Rule(
        "artifactory-token",
        "JFrog Artifactory API key",
        _token("AKCp", "[A-Za-z0-9]{69}"),
        ("akcp",),
        entropy=3.5,
    ),
    Rule(
        "intra42-secret",
        "42 intra client secret",
        _token("s-s4t2(?:ud|af)-", "[a-f0-9]{64}"),
        ("s-s4t2",),
    ),
    Rule(
        "azure-ad-client-secret",
        "Azure AD client secret",
        r"(?<![A-Za-z0-9_~.-])(?P<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])",
        ("q~",),
        entropy=3.0,
    ),
    Rule(
        "sidekiq-credentials",
        "Sidekiq Enterprise / Pro gem credentials",
        r"(?i)(?:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM[\"']?\s*[:=]+\s*[\"']?|https?://)"
        r"(?P<secret>[a-f0-9]{8}:[a-f0-9]{8})(?:@(?:gems|enterprise)\.contribsys\.com)?(?![A-Za-z0-9])",
        ("contribsys",),
    ),
    Rule(
        "docker-config-auth",
        "Registry credentials in a Docker config.json (auth field)",
        r"""(?i)"auth"\s*:\s*"(?P<secret>[A-Za-z0-9+/]{20,}={0,2})\"""",
        ('"auth"',),
        entropy=3.5,
    ),
    Rule(
        "netrc-password",
        "Password in a .netrc machine entry",
        r"\bmachine\s+\S+\s+login\s+\S+\s+password\s+(?P<secret>\S{4,})",
        ("machine",),
        stopwords=("$", "{{", "<"),
    ),
    Rule(
        "url-credentials",
        "Password in a URL (user:password@host)",
        r"(?i)\b(?:https?|ftps?|sftp|smtps?|imaps?|ssh|git|ldaps?)://[^:@/\s'\"]{1,64}:"
        r"(?P<secret>[^@/\s'\"]{3,128})@[A-Za-z0-9.-]+",
        ("://",),
        stopwords=("password", "pass", "secret", "token", *_PLACEHOLDERS),
        allow_regexes=(r"^\*+$", r"^\$", r"^%"),
    ),
    Rule(
        "php-define-secret",
        "Secret in a PHP define() (wp-config.php keys, salts, passwords)",
        r"""(?i)define\(\s*['"](?P<name>[A-Z0-9_]*(?:KEY|SALT|PASSWORD|SECRET|TOKEN)[A-Z0-9_]*)['"]\s*,"""
        r"""\s*(?P<q>['"])(?P<secret>[^'"\n]{6,})(?P=q)""",
        ("define(", "define ("),
        entropy=3.0,
        # WordPress salts are full of <, $ and {: only the documented placeholders are out.
        stopwords=("put your unique phrase here", "example", "xxxx", "changeme", "your_"),
    ),
    Rule(
        "curl-basic-auth",
        "Credentials in a curl -u/--user argument",
        r"""curl\b[^\n]*?\s(?:-u|--user)\s+["']?(?P<secret>[^\s"':]*:[^\s"']{4,})""",
        ("curl",),
        stopwords=("$", "{{", "<", "[", "password", ":pass", "token", "test:test", "username"),
    ),
    Rule(
        "curl-auth-header",
        "Credentials in a curl Authorization header",
        r"""(?i)curl\b[^\n]*?(?:-H|--header)\s*["'](?:Authorization|X-[A-Za-z-]*Api-?Key|Api-Token|apikey):\s*"""
        r"""(?:Bearer\s+|Basic\s+|Token\s+|Api-Token\s+)?(?P<secret>[A-Za-z0-9+/=._~-]{16,})""",
        ("curl",),
        entropy=3.0,
        stopwords=("$",),
    ),
)

_PASSWORD_KEY = r"[A-Za-z0-9_.-]{0,40}?(?:password|passwd|passphrase|pwd)[A-Za-z0-9_.-]{0,20}"
_SECRET_KEY = (
    r"[A-Za-z0-9_.-]{0,40}?(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|"
    r"private[_.-]?key|credentials?|client[_.-]?secret)[A-Za-z0-9_.-]{0,20}"
)
# Values that name a file or a credential-free URL, not a secret.
_NOT_VALUES = (r"^(?:/|\./|\.\./|~/)[\w./-]*$", r"^[a-z][a-z0-9+.-]*://[^@]*$")
# Keys that name an identifier or a location next to a credential, not the credential.
_NOT_SECRET_NAMES = (
    r"(?i)(?:id|ids|name|names|url|uri|file|path|type|version|length|count|size|prefix)$",
    r"(?i)^(?:public|publishable|csrf|xsrf)",
)
# A value: quoted (group q) or bare up to whitespace, a comment or a separator.
_VALUE = r"""(?P<q>["'`]?)(?P<secret>[^\s"'`;,<>(){}\[\]]{%d,200})(?P=q)"""

GENERIC_RULES: tuple[Rule, ...] = (
    Rule(
        "generic-password",
        "Password assigned in code or configuration",
        rf"(?i)(?<![A-Za-z0-9])(?P<name>{_PASSWORD_KEY})"
        + _ASSIGN
        + (_VALUE % 6)
        + r"(?![^\s,;)\]}])",
        ("password", "passwd", "passphrase", "pwd"),
        entropy=2.8,
        stopwords=(
            *_PLACEHOLDERS,
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
        + _ASSIGN
        + (_VALUE % 12)
        + r"(?![^\s,;)\]}])",
        ("secret", "token", "key", "credential"),
        entropy=3.5,
        stopwords=(*_PLACEHOLDERS, "secret", "token", "null", "none", "true", "false", "undefined"),
        allow_regexes=_NOT_VALUES,
        allow_names=_NOT_SECRET_NAMES,
        generic=True,
    ),
)

BUILTIN_RULES: tuple[Rule, ...] = PROVIDER_RULES + MORE_PROVIDER_RULES + GENERIC_RULES
