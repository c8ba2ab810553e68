"""Built-in rules for more services: developer platforms, observability, CI, hosting, curl.

Same conventions as :mod:`sealbox.scan.builtin`: documented prefixes and alphabets, an entropy
floor where placeholders are common, and ``keyed`` rules where a shape (a UUID, 40
alphanumerics) is only a secret next to the provider's name. The curl rules read a whole
command (lines joined by a trailing backslash) and are marked generic: a token in a curl header
that a provider rule recognises is reported once, by the provider rule.
"""

from __future__ import annotations

from sealbox.scan.rules import Rule
from sealbox.scan.shapes import B64URL, PLACEHOLDERS, TEMPLATE_FIELD, UUID, keyed, token

# A curl command up to the option: its own line and any lines joined to it by a trailing "\\".
_CURL = r"\bcurl\b(?:[^\n]*\\\r?\n){0,8}?[^\n]*?"

MORE_PROVIDER_RULES: tuple[Rule, ...] = (
    Rule(
        "slack-refresh-token",
        "Slack refresh or configuration token",
        token("(?:xoxe\\.xox[bp]-1-|xoxe-1-)", "[A-Za-z0-9-]{100,}"),
        ("xoxe-1-", "xoxe.xox"),
        entropy=3.5,
    ),
    Rule(
        "databricks-token",
        "Databricks personal access token",
        token("dapi", "[a-f0-9]{32}(?:-[0-9])?"),
        ("dapi",),
        entropy=3.0,
    ),
    Rule(
        "huggingface-token",
        "Hugging Face access or organisation token",
        token("(?:hf_|api_org_)", "[A-Za-z]{34}"),
        ("hf_", "api_org_"),
        entropy=3.0,
    ),
    Rule(
        "1password-service-account",
        "1Password service account token",
        token("ops_eyJ", B64URL + "{100,}"),
        ("ops_eyj",),
        entropy=3.5,
    ),
    Rule(
        "notion-token",
        "Notion integration token",
        token("ntn_", "[0-9]{11}[A-Za-z0-9]{35}"),
        ("ntn_",),
    ),
    Rule(
        "sourcegraph-token",
        "Sourcegraph access token",
        token("sgp_", "(?:local_|[A-Fa-f0-9]{16}_)?[A-Fa-f0-9]{40}"),
        ("sgp_",),
        entropy=3.2,
    ),
    Rule(
        "sentry-token",
        "Sentry organisation or user token",
        token("(?:sntrys_eyJ|sntryu_)", B64URL + "{60,}"),
        ("sntrys_", "sntryu_"),
    ),
    Rule(
        "grafana-token",
        "Grafana Cloud or service account token",
        token("(?:glc_eyJ|glsa_)", "[A-Za-z0-9+/=_-]{32,}"),
        ("glc_", "glsa_"),
        entropy=3.0,
    ),
    Rule(
        "openshift-token",
        "OpenShift user token",
        token("sha256~", "[A-Za-z0-9_-]{43}"),
        ("sha256~",),
        entropy=3.5,
    ),
    Rule(
        "facebook-token",
        "Facebook (Meta) access token",
        token("EAA[MC]", "[A-Za-z0-9]{90,}"),
        ("eaam", "eaac"),
        entropy=3.5,
    ),
    Rule(
        "flyio-token",
        "Fly.io API token",
        r"(?<![A-Za-z0-9_])(?P<secret>FlyV1 fm[12][ar]?_" + B64URL + "{80,}"
        r"|fo1_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-]))",
        ("flyv1", "fo1_"),
        entropy=3.0,
    ),
    Rule("heroku-api-key", "Heroku API key", token("HRKU-AA", "[0-9A-Za-z_-]{58}"), ("hrku-",)),
    Rule("heroku-legacy-api-key", "Heroku API key (UUID)", keyed("heroku", UUID), ("heroku",)),
    Rule(
        "provider-uuid-key",
        "UUID-shaped API key of a named provider (Snyk, HubSpot, MessageBird)",
        keyed("(?:snyk|hubspot|messagebird)", UUID),
        ("snyk", "hubspot", "messagebird"),
    ),
    Rule(
        "sonarqube-token",
        "SonarQube / SonarCloud token",
        keyed("sonar", "(?:sq[pau]_)?[A-Za-z0-9]{40}"),
        ("sonar",),
    ),
    Rule(
        "sumologic-access-id",
        "Sumo Logic access ID",
        keyed("sumo(?:logic)?[_.-]?access[_.-]?id", "su[A-Za-z0-9]{12}"),
        ("sumo",),
        entropy=3.0,
    ),
    Rule(
        "mailchimp-api-key",
        "Mailchimp API key",
        token("", "[0-9a-f]{32}-us[0-9]{1,2}"),
        ("-us",),
        entropy=3.0,
    ),
    Rule(
        "alibaba-access-key",
        "Alibaba Cloud AccessKey ID",
        token("LTAI", "[A-Za-z0-9]{20}"),
        ("ltai",),
        entropy=3.0,
    ),
    Rule(
        "easypost-api-key",
        "EasyPost API key",
        token("EZ[AT]K", "[A-Za-z0-9]{54}"),
        ("ezak", "eztk"),
    ),
    Rule(
        "artifactory-token",
        "JFrog Artifactory API key",
        token("AKCp", "[A-Za-z0-9]{69}"),
        ("akcp",),
        entropy=3.5,
    ),
    Rule(
        "intra42-secret",
        "42 intra client secret",
        token("s-s4t2(?:ud|af)-", "[a-f0-9]{64}"),
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
        allow_regexes=(TEMPLATE_FIELD,),
    ),
    Rule(
        "url-credentials",
        "Password in a URL (user:password@host)",
        r"(?i)\b(?:https?|ftps?|sftp|smtps?|imaps?|ssh|git|ldaps?)://[^:@/\s'\"]{1,64}:"
        r"(?P<secret>[^@/\s'\"]{3,128})@[A-Za-z0-9.-]+",
        ("://",),
        stopwords=("password", "pass", "secret", "token", *PLACEHOLDERS),
        allow_regexes=(r"^\*+$", r"^\$", r"^%", TEMPLATE_FIELD),
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
        _CURL + r"""\s(?:-u|--user)\s+["']?(?P<secret>[^\s"':]*:[^\s"']{4,})""",
        ("curl",),
        stopwords=("{{", "<", "[", "password", ":pass", "token", "test:test", "username"),
        # A shell expansion ("$USER:$PASS", "${u}:${p}", "$(cat f)") is not the credential;
        # a "$" inside a literal password (P@ss$1) does not make it one.
        allow_regexes=(r"(?:^|:)\$", r"\$[({]", r"(?:^|:)\{[A-Za-z_][A-Za-z0-9_.]*\}$"),
        multiline=True,
        generic=True,
    ),
    Rule(
        "curl-auth-header",
        "Credentials in a curl Authorization header",
        r"(?i)" + _CURL + r"""(?:-H|--header)\s*["'](?:Authorization|X-[A-Za-z-]*Api-?Key|"""
        r"""(?:X-[A-Za-z-]*)?(?:Api-)?Token|apikey):\s*"""
        r"""(?:Bearer\s+|Basic\s+|Token\s+|Api-Token\s+)?(?P<secret>[A-Za-z0-9+/=._~@-]{8,})""",
        ("curl",),
        entropy=2.75,
        stopwords=("$",),
        multiline=True,
        generic=True,
    ),
)
