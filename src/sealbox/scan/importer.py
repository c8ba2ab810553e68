"""``--import``: move found secrets into a KV v2 mount and say what replaces them in the file.

Findings are grouped by file: ``--import secret/app`` puts the secrets of ``config/.env`` at
``secret/app/config/.env`` (KV v2 ``data/`` path), one key per secret, named after the
assignment's key (``DB_PASSWORD``) or else the rule (``AWS_ACCESS_KEY_ID``). Existing keys of the
secret are kept: the current version is read and the merged data written with check-and-set on
that version, so a concurrent writer makes the import fail instead of losing data. Values travel
only in request bodies (never in arguments, URLs or output). For each imported value the
reference that replaces it is printed: an environment variable, the ``sealbox kv get`` line that
fills it, and an Agent template line.

Findings that belong to SOPS (see :mod:`sealbox.scan.sops_refs`: the file is SOPS-encrypted in the
work tree, or a ``.sops.yaml`` creation rule covers it) are not written to KV; their references
point at the SOPS file instead (encrypt it in place, read it with ``sealbox-sops exec-env``). This
needs the work tree (``root``); an image scan has none, so every finding goes to KV.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sealbox.client import Client
from sealbox.scan.model import Finding
from sealbox.scan.sops_refs import KeptInSops, sops_owned

_KEY_CHARS = re.compile(r"[^A-Za-z0-9_]+")


class ImportFailed(Exception):
    """The target is not a KV v2 mount, or a write failed (message has no secret)."""


@dataclass(frozen=True, slots=True)
class Imported:
    """One value written: where it came from and how to refer to it now."""

    finding: Finding
    mount: str
    secret_path: str
    key: str
    version: int

    def references(self) -> list[str]:
        """The lines that replace the hardcoded value."""
        full = f"{self.mount}/{self.secret_path}"
        return [
            f"env:      ${{{self.key}}}",
            f'shell:    export {self.key}="$(sealbox kv get -mount={self.mount} '
            f'-field={self.key} {self.secret_path})"',
            f'template: {{{{ with secret "{self.mount}/data/{self.secret_path}" }}}}'
            f"{{{{ .Data.data.{self.key} }}}}{{{{ end }}}}",
            f"(stored at {full}, version {self.version})",
        ]


def key_name(finding: Finding) -> str:
    """An environment-variable-style key for the finding's value."""
    raw = finding.hit.name if finding.rule_id.startswith("generic-") and finding.hit.name else ""
    if not raw:
        raw = finding.rule_id
    name = _KEY_CHARS.sub("_", raw.split(".")[-1]).strip("_").upper()
    return name or "SECRET"


def resolve_mount(client: Client, prefix: str) -> tuple[str, str]:
    """The KV v2 mount of ``prefix`` and the rest of it; raises unless it is KV v2."""
    clean = prefix.strip().strip("/")
    body = client.call("GET", f"sys/internal/ui/mounts/{clean}")
    data = (body or {}).get("data") or {}
    mount = str(data.get("path") or "").strip("/")
    options = data.get("options") or {}
    version = str(options.get("version") or "1") if isinstance(options, dict) else "1"
    if not mount or data.get("type") not in {"kv", "generic"} or version != "2":
        raise ImportFailed(f"{clean}: not under a KV version 2 mount")
    return mount, clean[len(mount) :].strip("/")


def import_findings(
    client: Client, prefix: str, findings: Sequence[Finding], root: Path | None = None
) -> list[Imported | KeptInSops]:
    """Write ``findings`` under ``prefix`` (one KV v2 write per file), except those SOPS owns in
    the work tree at ``root``; returns what was done with each, in the findings' order."""
    kept: dict[int, KeptInSops] = {}
    if root is not None:
        for index, finding in enumerate(findings):
            owned = sops_owned(root, finding)
            if owned is not None:
                kept[index] = owned
    to_kv = [f for i, f in enumerate(findings) if i not in kept]
    written = _write_kv(client, prefix, to_kv) if to_kv else []
    by_finding = {id(item.finding): item for item in written}
    return [kept[i] if i in kept else by_finding[id(f)] for i, f in enumerate(findings)]


def _write_kv(client: Client, prefix: str, findings: Sequence[Finding]) -> list[Imported]:
    mount, base = resolve_mount(client, prefix)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    done: list[Imported] = []
    for path, group in by_path.items():
        secret_path = posixpath.normpath(posixpath.join(base, path.lstrip("/"))).lstrip("/")
        current = client.read(f"{mount}/data/{secret_path}")
        data: dict[str, object] = {}
        cas = 0
        if current is not None:
            payload = current.get("data") or {}
            data = dict(payload.get("data") or {})
            cas = int((payload.get("metadata") or {}).get("version") or 0)
        keys: list[tuple[Finding, str]] = []
        for finding in group:
            key = key_name(finding)
            if key in data and data[key] != finding.secret:
                suffix = 2
                while f"{key}_{suffix}" in data and data[f"{key}_{suffix}"] != finding.secret:
                    suffix += 1
                key = f"{key}_{suffix}"
            data[key] = finding.secret
            keys.append((finding, key))
        answer = client.write(
            f"{mount}/data/{secret_path}", {"data": data, "options": {"cas": cas}}
        )
        version = int(((answer or {}).get("data") or {}).get("version") or 0)
        done.extend(Imported(f, mount, secret_path, k, version) for f, k in keys)
    return done
