"""Cleartext sample files, one per format, exercising what each format can hold."""

from __future__ import annotations

YAML = """\
# Database settings
#
database:
    host: db.internal  # line comment
    port: 5432
    password: hunter2
    ratio: 0.25
    big: 1.5e+30
    enabled: true
    maybe: yes
    nothing: null
    empty: ""
    since: 2024-01-02
    octal: 0777
    hex: 0x1F
    quoted: "123"
    unicode: "héllo ✓"
    multiline: |
        line one
        line two
    list:
        # first
        - a
        - 2
        - nested: value
          other: [1, 2]
public_unencrypted: visible
---
second: document
"""

JSON = """{
    "api": {"token": "abc<&>", "retries": 3, "timeout": 2.5, "big": 12345678901234,
            "flags": [true, false, null], "empty": {}, "none": []},
    "name": "sealbox",
    "unicode": "h\\u00e9llo \\u2713"
}
"""

DOTENV = """\
# production settings
DB_PASSWORD=s3cr=t
API_KEY = spaced
MULTI=line1\\nline2
EMPTY=
"""

INI = """\
[database]
; the password
password = hunter2
port: 5432

[api]
token = abc
"""

BINARY = bytes(range(256)) * 4 + "ünïcode".encode() + b"\xff\xfe\x00"

SAMPLES: dict[str, tuple[str, bytes]] = {
    "yaml": ("secrets.yaml", YAML.encode()),
    "json": ("secrets.json", JSON.encode()),
    "dotenv": ("secrets.env", DOTENV.encode()),
    "ini": ("secrets.ini", INI.encode()),
    "binary": ("secrets.bin", BINARY),
}
