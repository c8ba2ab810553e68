"""Strings are written in the style Go sops (yaml.v3) picks: plain, quoted or a literal block.

``VALUES`` and ``KEYS`` are what Go sops 3.11.0 prints for each string (recorded facts, written
at the top level with the default indent 4). The emitter alone must produce them; with Go sops
installed, a file holding all of them at several depths (a mapping, a list, a mapping in a
list, a list in a list) also crosses both ways at indents 4, 2 and 3, byte-identical.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.sops.conftest import AgeIdentity, Runner

from sealbox.sops.formats.yaml_emit import emit_documents
from sealbox.sops.formats.yaml_events import load_events
from sealbox.sops.tree import Branch

VALUES = [
    ("a:", "'a:'"),
    ("key with: colon", "'key with: colon'"),
    ("  lead", "'  lead'"),
    ("trail ", "'trail '"),
    ("#x", "'#x'"),
    ("a #b", "'a #b'"),
    ("a#b", "a#b"),
    ("-x", "-x"),
    ("- x", "'- x'"),
    ("-", "'-'"),
    ("?x", "?x"),
    ("? x", "'? x'"),
    (":x", ":x"),
    ("@x", "'@x'"),
    ("`x", "'`x'"),
    ("%x", "'%x'"),
    ("a\tb", '"a\\tb"'),
    ("it's: x", "'it''s: x'"),
    ("x\x7fy", '"x\\x7Fy"'),
    ("😀", '"\\U0001F600"'),
    ("\ufeffx", '"\\uFEFF\\x78"'),
    ("---x", "'---x'"),
    ("...", "'...'"),
    ("\xa0x", "\xa0x"),
    ("x\xa0", "x\xa0"),
    ("a\nb\t", "|-\n    a\n    b\t"),
    ("\nlead", "|4-\n\n    lead"),
    (" lead\nx", "|4-\n     lead\n    x"),
    ("a\n", "|\n    a"),
    ("a\n\n", "|+\n    a\n"),
    ("\n", "|4+\n"),
    ("a \nb", '"a \\nb"'),
    ("a\n b", "|-\n    a\n     b"),
    ("tab\tin\nlit", "|-\n    tab\tin\n    lit"),
    ("it's", "it's"),
    ("'q'", "'''q'''"),
    ('"dq"', "'\"dq\"'"),
    ("a\\b", "a\\b"),
    ("x\x85y", '"x\\Ny"'),
    ("é\x80", '"é\\x80"'),
    ("[x", "'[x'"),
    ("x]", "x]"),
    ("x,y", "x,y"),
    ("{x", "'{x'"),
    ("!x", "'!x'"),
    ("&x", "'&x'"),
    ("*x", "'*x'"),
    ("|", "'|'"),
    (">", "'>'"),
    ("x: ", "'x: '"),
    ("x :y", "x :y"),
    (": x", "': x'"),
    ("c\u2028d", "'c\u2028    d'"),
    ("e\u2029f", "'e\u2029    f'"),
    ("\ta", '"\\ta"'),
    ("a\t", '"a\\t"'),
    ("x\ry", '"x\\ry"'),
    ("日本語", "日本語"),
    ("😀 in\ntext", '"\\U0001F600 in\\ntext"'),
]

KEYS = [
    ("a:", "'a:'"),
    ("key: x", "'key: x'"),
    ("yes", '"yes"'),
    ("", '""'),
    ("1", '"1"'),
    (" sp", "' sp'"),
    ("it's", "it's"),
    ("#k", "'#k'"),
    ("\U0001f600k", '"\\U0001F600k"'),
    ("k\tt", '"k\\tt"'),
    ("x" * 128, "x" * 128),  # the longest simple key, in UTF-8 bytes
]
COMPLEX_KEYS = [
    ("y" * 129, "? " + "y" * 129 + "\n: v"),
    ("\u00e9" * 65, "? " + "\u00e9" * 65 + "\n: v"),  # 130 bytes
    ("multi\nline", "? |-\n    multi\n    line\n: v"),
]


@pytest.mark.parametrize(("value", "written"), VALUES)
def test_values_are_written_as_go_sops_writes_them(value: str, written: str) -> None:
    text = emit_documents([Branch([("k", value)])])
    assert text == f"k: {written}\n"
    assert load_events(text) == [Branch([("k", value)])]  # and read back unchanged


@pytest.mark.parametrize(("key", "written"), KEYS)
def test_keys_are_written_as_go_sops_writes_them(key: str, written: str) -> None:
    assert emit_documents([Branch([(key, "v")])]) == f"{written}: v\n"


@pytest.mark.parametrize(("key", "written"), COMPLEX_KEYS)
def test_long_and_multiline_keys_take_the_explicit_form(key: str, written: str) -> None:
    text = emit_documents([Branch([(key, "v")])])
    assert text == f"{written}\n"
    assert load_events(text) == [Branch([(key, "v")])]


def _double_quoted(text: str) -> str:
    """A YAML double-quoted input form of any string (escapes only, so any reader agrees)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0x20 <= code < 0x7F and ch not in '"\\':
            out.append(ch)
        else:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _hinted(value: str) -> bool:
    """A literal block with an indentation hint: where, in lists, we differ from Go on purpose."""
    return "\n" in value and written_as(value).startswith(("|2", "|3", "|4"))


def written_as(value: str) -> str:
    return dict(VALUES)[value]


def _all_depths() -> str:
    values = [_double_quoted(value) for value, _ in VALUES]
    in_lists = [_double_quoted(value) for value, _ in VALUES if not _hinted(value)]
    keys = [_double_quoted(key) for key, _ in KEYS + COMPLEX_KEYS]
    lines = ["top:", "  nested:"]
    lines += [f"    v{i}: {value}" for i, value in enumerate(values)]
    lines += ["  list:"] + [f"    - {value}" for value in in_lists]
    lines += ["  maps:"] + [f"    - v{i}: {value}\n      w: x" for i, value in enumerate(in_lists)]
    lines += ["  lists:"] + [f"    - - {value}" for value in in_lists]
    lines += ["  keys:"] + [f"    {key}: v" for key in keys]
    return "\n".join(lines) + "\n"


@pytest.mark.compat
@pytest.mark.parametrize("indent", [None, "2", "3"])
def test_every_style_crosses_both_ways_at_every_depth(
    indent: str | None, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    Path("styles.yaml").write_text(_all_depths())
    # legacy -e/-d form: Go sops takes --indent there, not after the encrypt/decrypt subcommands
    flags = ("--indent", indent) if indent else ()
    tools = {"go": run_go_sops, "sealbox": run_sealbox}
    outputs = {}
    for encrypter_name, encrypter in tools.items():
        encrypted = encrypter("-e", *flags, "--age", age_key.recipient, "styles.yaml")
        assert encrypted.returncode == 0, encrypted.stderr
        Path(f"{encrypter_name}.enc.yaml").write_bytes(encrypted.stdout)
        for decrypter_name, decrypter in tools.items():
            decrypted = decrypter("-d", *flags, f"{encrypter_name}.enc.yaml")
            assert decrypted.returncode == 0, decrypted.stderr
            outputs[encrypter_name, decrypter_name] = decrypted.stdout
    assert outputs == dict.fromkeys(outputs, outputs["go", "go"])


HINTED = [value for value, _ in VALUES if _hinted(value)]


def test_hinted_blocks_in_lists_carry_their_real_offset() -> None:
    document = Branch([("k", [*HINTED, Branch([("a", HINTED[0])])])])
    for indent in (2, 3, 4):
        text = emit_documents([document], indent)
        assert load_events(text) == [document]
        assert "- |2" in text  # content at the dash + 2, whatever the indent


@pytest.mark.compat
def test_go_sops_cannot_read_back_its_own_hinted_blocks_but_reads_ours(
    run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    """The one place we differ from Go's bytes, and why: Go's own output does not parse."""
    Path("hinted.yaml").write_text("k:\n    - " + _double_quoted(HINTED[0]) + "\n")
    encrypted = run_go_sops("encrypt", "--age", age_key.recipient, "hinted.yaml")
    assert encrypted.returncode == 0, encrypted.stderr
    Path("hinted.enc.yaml").write_bytes(encrypted.stdout)
    Path("go.yaml").write_bytes(run_go_sops("decrypt", "hinted.enc.yaml").stdout)
    Path("ours.yaml").write_bytes(run_sealbox("decrypt", "hinted.enc.yaml").stdout)
    assert "- |4" in Path("go.yaml").read_text()
    assert "- |2" in Path("ours.yaml").read_text()
    assert run_go_sops("encrypt", "--age", age_key.recipient, "go.yaml").returncode != 0
    for tool in (run_go_sops, run_sealbox):
        again = tool("encrypt", "--age", age_key.recipient, "ours.yaml")
        assert again.returncode == 0, again.stderr  # both read our form back
        Path("again.enc.yaml").write_bytes(again.stdout)
        assert run_sealbox("decrypt", "again.enc.yaml").stdout == Path("ours.yaml").read_bytes()
