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
; settings outside any section
region = eu-west-1

[database]
; the password
password = hunter2
port: 5432

[api]
token = abc
"""

# Helm-style values: anchors and a merge key, flow collections, folded and literal blocks,
# escapes, quoting, timestamps, nested lists (read by libyaml, not the fast reader).
HELM = """\
# Default values for app.
replicaCount: 1
image:
  repository: nginx
  tag: "1.25"   # pinned
  pullPolicy: IfNotPresent
defaults: &defaults
  timeout: 30s
  retries: 3
service:
  <<: *defaults
  type: ClusterIP
  port: 80
env:
  - name: DB_PASSWORD
    value: hunter2
  - {name: API_KEY, value: "abc123"}
description: >
  folded text
  continues here
script: |
  #!/bin/sh
  echo "hi"
empty_map: {}
nulls: ~
tilde_key: null
weird: "tab\\there\\u00e9"
single: 'it''s'
number_string: "0123"
octal: 0o17
date_time: 2024-03-04T05:06:07+02:00
list_of_lists:
- - a
  - b
- [c, d]
"""

BINARY = bytes(range(256)) * 4 + "ünïcode".encode() + b"\xff\xfe\x00"

SAMPLES: dict[str, tuple[str, bytes]] = {
    "yaml": ("secrets.yaml", YAML.encode()),
    "yaml-helm": ("values.yaml", HELM.encode()),
    "json": ("secrets.json", JSON.encode()),
    "dotenv": ("secrets.env", DOTENV.encode()),
    "ini": ("secrets.ini", INI.encode()),
    "binary": ("secrets.bin", BINARY),
}
