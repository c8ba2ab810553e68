"""Key-shaped test strings, generated at run time so no real-looking secret is committed.

Each generator follows the provider's documented shape (prefix, alphabet, length); the values
are random, so they are never live credentials, and push protection never sees them in git.
"""

from __future__ import annotations

import base64
import json
import secrets
import string

ALNUM = string.ascii_letters + string.digits
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"


def rand(alphabet: str, size: int) -> str:
    """``size`` random characters of ``alphabet``."""
    return "".join(secrets.choice(alphabet) for _ in range(size))


def aws_key_id() -> str:
    return "AKIA" + rand(B32, 16)


def aws_secret() -> str:
    return rand(ALNUM + "/+", 40)


def github_pat() -> str:
    return "ghp_" + rand(ALNUM, 36)


def github_fine_grained() -> str:
    return "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59)


def gitlab_pat() -> str:
    return "glpat-" + rand(URLSAFE, 20)


def slack_bot() -> str:
    return "xoxb-" + rand(string.digits, 12) + "-" + rand(string.digits, 12) + "-" + rand(ALNUM, 24)


def slack_webhook() -> str:
    return (
        "https://hooks.slack.com/services/T"
        + rand(B32, 10)
        + "/B"
        + rand(B32, 10)
        + "/"
        + rand(ALNUM, 24)
    )


def stripe_live() -> str:
    return "sk_" + "live_" + rand(ALNUM, 24)


def google_api_key() -> str:
    return "AIza" + rand(URLSAFE, 35)


def sendgrid() -> str:
    return "SG." + rand(URLSAFE, 22) + "." + rand(URLSAFE, 43)


def npm_token() -> str:
    return "npm_" + rand(ALNUM, 36)


def openai_key() -> str:
    return "sk-proj-" + rand(ALNUM, 40) + "T3Blbk" + "FJ" + rand(ALNUM, 40)


def vault_token() -> str:
    return "hvs." + rand(URLSAFE, 90)


def telegram_bot() -> str:
    return rand(string.digits, 9) + ":AA" + rand(URLSAFE, 33)


def jwt() -> str:
    def part(doc: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    header = part({"alg": "HS256", "typ": "JWT"})
    payload = part({"sub": rand(ALNUM, 12), "iat": 1700000000, "role": "admin"})
    return f"{header}.{payload}.{rand(URLSAFE, 43)}"


def private_key_pem() -> str:
    body = base64.b64encode(secrets.token_bytes(600)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return (
        "-----BEGIN "
        + "RSA PRIVATE KEY-----\n"
        + "\n".join(lines)
        + "\n-----END RSA PRIVATE KEY-----"
    )


def password() -> str:
    """A password-like value: mixed classes, high enough entropy for the generic rule."""
    return rand(string.ascii_letters, 6) + rand(string.digits, 3) + "!" + rand(ALNUM, 6)


def huggingface() -> str:
    return "hf_" + rand(string.ascii_letters, 34)


def notion() -> str:
    return "ntn_" + rand(string.digits, 11) + rand(ALNUM, 35)


def azure_ad_secret() -> str:
    return rand(ALNUM, 3) + "8Q~" + rand(ALNUM + "_~.-", 34)


def sidekiq() -> str:
    return rand(HEX, 8) + ":" + rand(HEX, 8)


def heroku_uuid() -> str:
    return "-".join(rand(HEX, n) for n in (8, 4, 4, 4, 12))
