"""getsops/sops's own example files, in every format, give byte-identical output in both tools.

Two kinds of check (see ``tests/sops/upstream.py`` for where the files come from):

- the encrypted examples of the upstream repository decrypt with ``sealbox-sops`` to exactly
  what Go sops prints (same exit status too), using the PGP key upstream publishes for its
  functional tests; and the recorded cleartexts are what Go sops prints for them;
- every example cleartext, encrypted by one tool and decrypted by the other, with age keys and
  with PGP keys, decrypts to exactly what Go sops's own round trip gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.sops import upstream
from tests.sops.conftest import AgeIdentity, Runner, import_gpg_keys, new_gpg_home, stop_gpg_agent

pytestmark = pytest.mark.compat

CLEARTEXTS = upstream.cleartexts()


@pytest.fixture(scope="module")
def upstream_gnupghome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A GNUPGHOME holding upstream's functional-test keys (only with a snapshot)."""
    if upstream.snapshot() is None:
        pytest.skip("no snapshot of getsops/sops (set SEALBOX_SOPS_UPSTREAM to a git dir)")
    home = new_gpg_home(tmp_path_factory.mktemp("upstream-gnupg"))
    fingerprints = import_gpg_keys(home, upstream.read(upstream.FUNCTIONAL_TESTS_KEY))
    assert "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4" in fingerprints
    yield home
    stop_gpg_agent(home)


@pytest.mark.parametrize("path", list(upstream.ENCRYPTED))
def test_upstream_encrypted_example_decrypts_as_go_sops_does(
    path: str,
    upstream_gnupghome: Path,
    run_sealbox: Runner,
    run_go_sops: Runner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GNUPGHOME", str(upstream_gnupghome))
    local = Path(Path(path).name)  # same name, so both infer the same format
    local.write_bytes(upstream.read(path))
    theirs = run_go_sops("decrypt", str(local))
    ours = run_sealbox("decrypt", str(local))
    assert ours.returncode == theirs.returncode, (ours.stderr, theirs.stderr)
    assert ours.stdout == theirs.stdout
    recorded = upstream.ENCRYPTED[path]
    if recorded is not None:
        assert theirs.returncode == 0, theirs.stderr
        assert theirs.stdout == upstream.recorded(recorded)


@pytest.mark.parametrize("path", list(upstream.PLAIN))
def test_recorded_plain_examples_are_upstream_files(path: str) -> None:
    if upstream.snapshot() is None:
        pytest.skip("no snapshot of getsops/sops (set SEALBOX_SOPS_UPSTREAM to a git dir)")
    assert upstream.read(path) == upstream.recorded(upstream.PLAIN[path])


def test_the_ini_example_keeps_its_leading_comment_above_the_first_section() -> None:
    """The reported defect, on the recorded cleartext: nothing may move."""
    text = CLEARTEXTS["example.ini"]
    assert text.startswith(b"; An example file for use with sops!\n[name]\n")


def _round_trips(
    name: str, key_flags: tuple[str, ...], run_sealbox: Runner, run_go_sops: Runner
) -> dict[tuple[str, str], bytes]:
    """Output of each (encrypter, decrypter) pair for one cleartext."""
    Path(name).write_bytes(CLEARTEXTS[name])
    outputs: dict[tuple[str, str], bytes] = {}
    tools = {"go": run_go_sops, "sealbox": run_sealbox}
    for encrypter_name, encrypter in tools.items():
        encrypted = encrypter("encrypt", *key_flags, name)
        assert encrypted.returncode == 0, encrypted.stderr
        target = Path(f"{encrypter_name}-encrypted") / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(encrypted.stdout)
        for decrypter_name, decrypter in tools.items():
            decrypted = decrypter("decrypt", str(target))
            assert decrypted.returncode == 0, decrypted.stderr
            outputs[encrypter_name, decrypter_name] = decrypted.stdout
    return outputs


@pytest.mark.parametrize("name", list(CLEARTEXTS))
def test_examples_cross_both_ways_with_age(
    name: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    outputs = _round_trips(name, ("--age", age_key.recipient), run_sealbox, run_go_sops)
    assert outputs == dict.fromkeys(outputs, outputs["go", "go"])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CLEARTEXTS))
def test_examples_cross_both_ways_with_pgp(
    name: str,
    run_sealbox: Runner,
    run_go_sops: Runner,
    gpg_home: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fingerprint, home = gpg_home
    monkeypatch.setenv("GNUPGHOME", str(home))
    outputs = _round_trips(name, ("--pgp", fingerprint), run_sealbox, run_go_sops)
    assert outputs == dict.fromkeys(outputs, outputs["go", "go"])
