"""The INI store reads and writes INI the way Go sops (over go-ini) does, byte for byte.

Each case is a cleartext file and what Go sops 3.11.0 prints after encrypting and decrypting it
(recorded facts). The store alone must reproduce that output (decrypting changes nothing the
store sees), and with Go sops installed every case is also run through both programs, in both
directions, so the recorded output is checked against the real thing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner

from sealbox.sops.errors import DumpingTreeError, InvalidInputError
from sealbox.sops.formats import get_store
from sealbox.sops.tree import Branch, Comment

CASES: dict[str, tuple[str, str]] = {
    # getsops/sops example.ini begins this way: the comment stays above the first header.
    "comment-above-first-section": (
        "; An example file for use with sops!\n[name]\nfirstName = John\nage = 25.4\n",
        "; An example file for use with sops!\n[name]\nfirstName = John\nage       = 25.4\n",
    ),
    "comments-inline-quotes-and-empty": (
        '; c1\n# c2\n[s]\n; k comment\nk = v ; inline\nurl = http://x/#frag\nq = "quoted"\n'
        'sp = "  padded "\nempty =\nbt = `a;b`\n; trailing\n',
        "; c1\n# c2\n[s]\n; k comment\n; inline\nk     = v\n; frag\nurl   = http://x/\n"
        'q     = quoted\nsp    = "  padded "\nempty = \nbt    = `a;b`\n',
    ),
    "default-keys-and-repeated-sections": (
        "top = 1\n; before s\n[s]\na = 1\n[s]\nb = 2\n[DEFAULT]\nc = 3\n",
        "top = 1\n\n; before s\n[s]\na = 1\n\n[s]\nb = 2\n\n[DEFAULT]\nc = 3\n",
    ),
    "multiline-continuation-colon-quoted-key": (
        '[s]\nk = """line1\nline2"""\nj = a \\\n  b\nn: colon\n"qk" = 1\n',
        '[s]\nk  = """line1\nline2"""\nj  = a b\nn  = colon\nqk = 1\n',
    ),
    "crlf": (
        "[s]\r\n; c1\r\n; c2\r\nk = v\r\n\r\n[t]\r\nx = y\r\n",
        "[s]\n; c1\n; c2\nk = v\n\n[t]\nx = y\n",
    ),
    "crlf-section-comment-keeps-its-first-cr": (
        "; one\r\n; two\r\n[s]\r\nk = v ; tail\r\n",
        "; one\r\n; two\n[s]\n; tail\nk = v\n",
    ),
    "unicode-padded-by-bytes": (
        "[ü]\nkéy = välue\nk = v\nlonger = ✓\n",
        "[ü]\nkéy   = välue\nk      = v\nlonger = ✓\n",
    ),
    "bare-comment-char-vanishes": ("[s]\n;\nk = v\n", "[s]\nk = v\n"),
    "blank-lines-spaces-and-duplicate-keys": (
        "\n\n; lone\n\n[s]\n\n  k  =  v  \ndup = 1\ndup = 2\n",
        "; lone\n[s]\nk   = v\ndup = 2\n",
    ),
    "comment-chars-collapse-no-final-newline": (
        ";;; triple\n#  hash\n[s]\nk=v",
        "; triple\n# hash\n[s]\nk = v\n",
    ),
    "backtick-value-spans-lines": (
        '[s]\nk = `multi\nline` ; after\nv = """\nx"""\n',
        '[s]\n; after\nk = """multi\nline"""\nv = """\nx"""\n',
    ),
    "empty-last-section": ("[s]\nk = v\n[t]\n", "[s]\nk = v\n\n[t]\n"),
    "keys-needing-quotes": (
        "[s]\n`a=b` = 1\n`x:y` = 2\nk`q = 3\n",
        '[s]\n`a=b`     = 1\n`x:y`     = 2\n"""k`q""" = 3\n',
    ),
}


def _store_round_trip(text: str) -> bytes:
    store = get_store("ini")
    return store.emit_plain(store.load_plain(text.encode()))


@pytest.mark.parametrize("name", list(CASES))
def test_store_writes_what_go_sops_writes(name: str) -> None:
    given, expected = CASES[name]
    assert _store_round_trip(given).decode() == expected


def test_tree_matches_go_sops_layout() -> None:
    """Section comment first in its section, key comments after their key, DEFAULT kept."""
    (root,) = get_store("ini").load_plain(b"; top\n[s]\n; above\nk = v ; inline\n")
    assert root == Branch(
        [
            ("DEFAULT", Branch()),
            ("s", Branch([Comment("top"), ("k", "v"), Comment("above\n; inline")])),
        ]
    )


@pytest.mark.parametrize(
    "text",
    ["[s\nk = v\n", "[]\n", "[s]\nno delimiter\n", "[s]\n= v\n", '[s]\nk = """open\n'],
)
def test_malformed_input_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match=r"line \d+"):
        get_store("ini").load_plain(text.encode())


def test_nested_values_cannot_be_written_as_ini() -> None:
    store = get_store("ini")
    with pytest.raises(DumpingTreeError) as caught:
        store.emit_plain([Branch([("s", Branch([("k", Branch([("deep", "x")]))]))])])
    assert caught.value.exit_code == 4
    with pytest.raises(DumpingTreeError):
        store.emit_value(Branch([("k", "v")]))


def test_metadata_newlines_are_escaped_but_data_newlines_are_not() -> None:
    store = get_store("ini")
    document = Branch([("DEFAULT", Branch()), ("s", Branch([("k", "a\nb")]))])
    written = store.emit_encrypted([document], {"pgp": [{"enc": "x\ny"}]}).decode()
    assert 'k = """a\nb"""\n' in written
    assert "pgp__list_0__map_enc = x\\ny\n" in written
    documents, metadata = store.load_encrypted(written.encode())
    assert metadata == {"pgp": [{"enc": "x\ny"}]}
    assert documents == [document]


@pytest.mark.compat
@pytest.mark.parametrize("name", list(CASES))
def test_cases_agree_with_go_sops_both_ways(
    name: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    given, expected = CASES[name]
    Path("plain.ini").write_text(given, newline="")
    outputs = {}
    for encrypter_name, encrypter in (("go", run_go_sops), ("sealbox", run_sealbox)):
        encrypted = encrypter("encrypt", "--age", age_key.recipient, "plain.ini")
        assert encrypted.returncode == 0, encrypted.stderr
        Path(f"{encrypter_name}.enc.ini").write_bytes(encrypted.stdout)
        for decrypter_name, decrypter in (("go", run_go_sops), ("sealbox", run_sealbox)):
            decrypted = decrypter("decrypt", f"{encrypter_name}.enc.ini")
            assert decrypted.returncode == 0, decrypted.stderr
            outputs[encrypter_name, decrypter_name] = decrypted.stdout.decode()
    assert outputs["go", "go"] == expected
    assert outputs == dict.fromkeys(outputs, expected)


@pytest.mark.compat
@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ("set", ('["s"]["k"]', '"new"')),
        ("set", ('["s"]["added"]', "5")),
        ("set", ('["new"]', '{"a": "b"}')),
        ("unset", ('["s"]["k"]',)),
        ("set", ('["s"]', '"not a section"')),  # refused: exit 4, file untouched
    ],
)
def test_set_and_unset_on_ini_agree_with_go_sops(
    command: str,
    arguments: tuple[str, ...],
    run_sealbox: Runner,
    run_go_sops: Runner,
    age_key: AgeIdentity,
) -> None:
    Path("plain.ini").write_text(CASES["comments-inline-quotes-and-empty"][0])
    encrypted = run_go_sops("encrypt", "--age", age_key.recipient, "plain.ini")
    results = {}
    for name, tool in (("go", run_go_sops), ("sealbox", run_sealbox)):
        Path(f"{name}.ini").write_bytes(encrypted.stdout)
        changed = tool(command, f"{name}.ini", *arguments)
        results[name] = (
            changed.returncode,
            changed.stderr.strip().splitlines()[-1:],
            run_go_sops("decrypt", f"{name}.ini").stdout,
        )
    assert results["sealbox"] == results["go"]
