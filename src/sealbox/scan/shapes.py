"""Regex pieces the built-in rules share: token boundaries, assignment operators, placeholders.

Kept apart so each rule table stays a readable list of data.
"""

from __future__ import annotations

# Where a token must not be glued to surrounding word characters.
_L = r"(?<![A-Za-z0-9_])"
_R = r"(?![A-Za-z0-9_])"
# The assignment operators of the formats we read: = := : => (and a quoted key's closing quote).
ASSIGN = r"""["']?\s{0,5}(?::::=|::=|:=|\?=|=>|=|:)\s{0,5}"""
PLACEHOLDERS = (
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

# A str.format / f-string / template field standing where the value goes: "{password}".
TEMPLATE_FIELD = r"^\{[A-Za-z_][A-Za-z0-9_.]*\}"


def token(prefix: str, body: str) -> str:
    """A token: ``prefix`` + ``body`` as the ``secret`` group, not glued to word characters."""
    return f"{_L}(?P<secret>{prefix}{body}){_R}"


UUID = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
B64URL = "[A-Za-z0-9+/=_-]"


def keyed(name: str, value: str) -> str:
    """A provider-named assignment whose value has a known shape."""
    return (
        rf"(?i:(?P<name>{name}[A-Za-z0-9_.-]{{0,30}})"
        + ASSIGN
        + rf"""["'`]?(?P<secret>{value})(?![A-Za-z0-9]))"""
    )
