"""Edge cases in every format, crossed with Go sops both ways: the outputs are byte-identical.

Comments, blank lines, empty values, Unicode, CRLF line ends, byte-order marks and numbers at
the edges of 64 bits. Each file is encrypted by each tool and decrypted by each; all four
outputs must equal Go sops's own round trip. Inputs that Go sops refuses must be refused by
``sealbox-sops`` with the same exit status.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.sops import upstream
from tests.sops.conftest import AgeIdentity, Result, Runner

from sealbox.sops.errors import EncryptingTreeError
from sealbox.sops.formats import get_store
from sealbox.sops.tree import Branch

pytestmark = pytest.mark.compat

CROSSING: dict[str, bytes] = {
    "comments.env": b"# c\n\nA=1\n\n# two\nB=\nC=\"quoted\"\nD='single'\nE=a b # kept\n"
    b"export F=x\nG=\xc3\xbc\xe2\x9c\x93\nH==x\nI=a=b\nJ=\\\\n\n",
    "crlf.env": b"A=1\r\nB=2\r\n# c\r\n",
    "no-newline.env": b"A=1",
    "bom.env": b"\xef\xbb\xbfA=1\n",
    "duplicate.env": b"A=1\nA=2\n",
    "edges.json": b'{"a": "x\\u00e9", "b": "", "c": {}, "d": [], "e": null, "f": 1.0, '
    b'"g": 1e100, "i": "\\u2028<>&", "j": "\\ud83d\\ude00 \\/ \\b\\f\\n\\r\\t \\u0001"}\n',
    "numbers.json": b'{"n": 12345678901234567890, "small": 9007199254740991, "neg": -5, '
    b'"f": 0.1, "e": 1e-7, "big": 1e21, "fl": 2.50}\n',
    "crlf.json": b'{\r\n  "a": 1\r\n}\r\n',
    "empty.json": b"{}",
    "duplicate.json": b'{"a": "x", "a": "y"}',
    "crlf.yaml": b"a: 1\r\nb: two\r\n# c\r\nc: |\r\n  x\r\n  y\r\n",
    "blank-lines.yaml": b"\n\n# lead\n\na: 1\n\n\nb: 2\n\n# trail\n",
    "empty-values.yaml": b'a: ""\nb:\nc: ~\nd: []\ne: {}\nf: "\xc3\xbc\xe2\x9c\x93"\ng: \'x\'\n',
    "comments.yaml": b"#no space\na: 1 #tight\n   # indented comment\nb:\n  - 1 # one\n"
    b"  # between\n  - 2\n# end\n",
    "documents.yaml": b"---\na: 1\n...\n---\n# c\nb: 2\n",
    "bom.yaml": b"\xef\xbb\xbfa: 1\n",
    "flow-comments.yaml": b"k: {a: 1, b: 2} # t1\nl:\n    - [1, 2] # t2\n    - x\ne: [] # t3\n"
    b"m: [1,\n  2] # t4\nz: {} # t5\nafter: 1\nn:\n    - [] # a\n    - {} # b\n",
    "list-comments.yaml": b"l:\n    # c\n    - 1\n    # d\n    - 2\n    # end\nm: [] # t\n",
    "binary-tag.yaml": b"ok: !!binary aGVsbG8=\nraw: !!binary /w==\nlong: !!binary "
    + b"QUJD" * 30
    + b"/w==\n",
    "ints.yaml": b"a: 9223372036854775807\nb: -9223372036854775809\nc: 0x10000000000000000\n",
    "crlf.ini": b"; one\r\n; two\r\n[s]\r\nk = v ; tail\r\n\r\n[t]\r\nx = y\r\n",
    "unicode.ini": "[ü]\nkéy = välue\nk = v\nlonger = ✓\n".encode(),
    "bom.ini": b"\xef\xbb\xbf[s]\nk=v\n",
    "crlf.bin": b"line\r\nnext\r\n\xff\xfe\x00",
}

# Refused by both tools, with the same exit status.
REFUSED: dict[str, bytes] = {
    "no-equals.env": b"NOEQUALS\n",
    "indented-comment.env": b"A=1\n  # indented\n",
    "crlf-blank.env": b"A=1\r\n\r\nB=2",
    "top-level-list.json": b"[1, 2]",
    "bom.json": b'\xef\xbb\xbf{"a": 1}\n',
    "top-level-list.yaml": b"- a\n- b\n",
    "only-comment.yaml": b"# only comment\n",
    "empty.yaml": b"",
    "uint64.yaml": b"c: 9223372036854775808\n",
    "uint64-unencrypted.yaml": b"c_unencrypted: 18446744073709551615\n",
}
# compat: the one refusal where the tools differ: Go sops cannot read JSON with a byte-order
# mark, sealbox-sops reads it (Python's JSON reader and our YAML/INI/dotenv readers skip it).
ACCEPTED_ONLY_BY_SEALBOX = {"bom.json"}


def _cross(name: str, data: bytes, recipient: str, tools: dict[str, Runner]) -> set[bytes]:
    Path(name).write_bytes(data)
    outputs = set()
    for encrypter_name, encrypter in tools.items():
        encrypted = encrypter("encrypt", "--age", recipient, name)
        assert encrypted.returncode == 0, encrypted.stderr
        target = Path(encrypter_name) / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(encrypted.stdout)
        for decrypter in tools.values():
            decrypted = decrypter("decrypt", str(target))
            assert decrypted.returncode == 0, decrypted.stderr
            outputs.add(decrypted.stdout)
    return outputs


@pytest.mark.parametrize("name", list(CROSSING))
def test_edge_case_files_cross_both_ways_byte_identical(
    name: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    tools = {"go": run_go_sops, "sealbox": run_sealbox}
    outputs = _cross(name, CROSSING[name], age_key.recipient, tools)
    assert len(outputs) == 1, outputs


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_inputs_fail_with_go_sops_exit_status(
    name: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    Path(name).write_bytes(REFUSED[name])
    theirs = run_go_sops("encrypt", "--age", age_key.recipient, name)
    ours = run_sealbox("encrypt", "--age", age_key.recipient, name)
    assert theirs.returncode != 0
    if name in ACCEPTED_ONLY_BY_SEALBOX:
        assert ours.returncode == 0, ours.stderr
        return
    assert ours.returncode == theirs.returncode, (ours.stderr, theirs.stderr)
    assert ours.stdout == b""


def test_json_integers_beyond_int64_are_floats_as_in_go() -> None:
    (document,) = get_store("json").load_plain(b'{"n": 12345678901234567890, "m": 5}')
    assert document == Branch([("n", 1.2345678901234567e19), ("m", 5)])


def test_json_integers_beyond_2_53_stay_exact_in_both_tools(
    run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    """compat: a deliberate difference from sops 3.11 (and agreement with 3.13).

    3.11 reads every JSON number as a float64, so its own round trip turns 9223372036854775807
    into 9223372036854776000; sealbox keeps integers within int64 exact, and Go sops decrypts
    the exact value from a file sealbox encrypted.
    """
    Path("n.json").write_bytes(b'{"max": 9223372036854775807, "min": -9223372036854775808}\n')
    encrypted = run_sealbox("encrypt", "--age", age_key.recipient, "n.json")
    assert b"type:int" in encrypted.stdout
    Path("enc.json").write_bytes(encrypted.stdout)
    exact = b'{\n\t"max": 9223372036854775807,\n\t"min": -9223372036854775808\n}\n'
    assert run_go_sops("decrypt", "enc.json").stdout == exact
    assert run_sealbox("decrypt", "enc.json").stdout == exact


def test_yaml_binary_tag_is_decoded_and_non_utf8_written_back_as_binary() -> None:
    store = get_store("yaml")
    (document,) = store.load_plain(b"ok: !!binary aGVsbG8=\nraw: !!binary /w==\n")
    assert document == Branch([("ok", "hello"), ("raw", b"\xff")])
    assert store.emit_plain([document]) == b"ok: hello\nraw: !!binary /w==\n"
    long = store.emit_plain([Branch([("k", b"\xff" * 60)])]).decode()
    assert long.startswith("k: !!binary |\n    /////")
    assert [len(line) for line in long.splitlines()[1:]] == [74, 14]  # 70 per line, indented


def test_yaml_uint64_values_cannot_be_encrypted_as_in_go(
    run_sealbox: Runner, age_key: AgeIdentity
) -> None:
    Path("u.yaml").write_text("c: 9223372036854775808\n")
    result = run_sealbox("encrypt", "--age", age_key.recipient, "u.yaml")
    assert result.returncode == EncryptingTreeError.exit_code == 23
    assert "unknown type: uint64" in result.stderr


CONVERTED: dict[str, bytes] = {
    "comments.ini": CROSSING["crlf.ini"] + b"; c1\n# c2\n[u]\n; k comment\nk = v ; inline\n",
    "nested.yaml": b"app:\n    db:\n        user: eve\n        port: 5432\n    list:\n"
    b"        - a\n        - 2.5\n        - true\nflag: false\nnumber: 1234568000.5\n",
    "nested.json": b'{"a": {"b": [1, {"c": null}]}, "s": "x"}\n',
    "flat.env": b"A=1\n# c\nB=two\n",
}
EXTRACTS = {
    "comments.ini": ['["s"]', '["s"]["k"]', '["DEFAULT"]'],
    "nested.yaml": ['["app"]', '["app"]["list"]', '["number"]', '["flag"]', '["app"]["db"]'],
    # not ["a"]["b"]: with --output-type ini Go prints its internal form of the mapping inside
    # the list ([{"Key":"c","Value":null}]); we print the JSON of the value ([1,{"c":null}])
    "nested.json": ['["a"]', '["a"]["b"][0]', '["a"]["b"][1]["c"]', '["s"]'],
    "flat.env": ['["A"]'],
}
OUTPUT_TYPES = ["json", "yaml", "dotenv", "ini", "binary"]


def _outcome(result: Result) -> tuple[int, bytes, str]:
    """Exit status, stdout and the error's last line (Go adds log lines before it)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return result.returncode, result.stdout, lines[-1] if result.returncode and lines else ""


@pytest.mark.parametrize("name", list(CONVERTED))
def test_output_types_and_extracts_match_go_sops(
    name: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    """Every --output-type, whole file and --extract: same bytes, or the same error and code."""
    Path(name).write_bytes(CONVERTED[name])
    encrypted = run_go_sops("encrypt", "--age", age_key.recipient, name)
    assert encrypted.returncode == 0, encrypted.stderr
    Path("enc." + name).write_bytes(encrypted.stdout)
    for output_type in OUTPUT_TYPES:
        for extract in [None, *EXTRACTS[name]]:
            args = ["decrypt", "--output-type", output_type, "enc." + name]
            if extract:
                args[1:1] = ["--extract", extract]
            theirs, ours = _outcome(run_go_sops(*args)), _outcome(run_sealbox(*args))
            assert ours == theirs, args


_CIPHERTEXT = re.compile(r"ENC\[AES256_GCM,[^\]]*\]")
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_ARMOR = re.compile(r"-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----", re.S)


def _layout(encrypted: bytes) -> str:
    """An encrypted file with its random parts (ciphertexts, times, wrapped keys) blanked."""
    text = _ARMOR.sub("AGE", encrypted.decode())
    return _STAMP.sub("TIME", _CIPHERTEXT.sub("ENC", text))


@pytest.mark.parametrize(
    "name", ["example.yaml", "comments.yaml", "example.json", "format.env", "example.txt"]
)
def test_encrypted_files_have_go_sops_layout(
    name: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity, age_key2: AgeIdentity
) -> None:
    """Beyond decrypting alike, the encrypted files themselves differ only in random parts:
    same key order, metadata order (dotenv's flattened keys sorted, as Go writes them), quoting
    and indentation, so a file re-encrypted by the other tool gives a small diff."""
    Path(name).write_bytes(upstream.cleartexts()[name])
    recipients = f"{age_key.recipient},{age_key2.recipient}"
    theirs = run_go_sops("encrypt", "--age", recipients, name)
    ours = run_sealbox("encrypt", "--age", recipients, name)
    assert theirs.returncode == ours.returncode == 0, (theirs.stderr, ours.stderr)
    assert _layout(ours.stdout) == _layout(theirs.stdout)


@pytest.mark.parametrize("name", ["comments.ini", "nested.json"])
def test_exec_env_refuses_nested_values_as_go_sops_does(
    name: str, run_sealbox: Runner, run_go_sops: Runner, age_key: AgeIdentity
) -> None:
    Path(name).write_bytes(CONVERTED[name])
    Path("enc." + name).write_bytes(run_go_sops("encrypt", "--age", age_key.recipient, name).stdout)
    theirs = run_go_sops("exec-env", "enc." + name, "true")
    ours = run_sealbox("exec-env", "enc." + name, "true")
    assert _outcome(ours) == _outcome(theirs)
    assert theirs.returncode == 1
