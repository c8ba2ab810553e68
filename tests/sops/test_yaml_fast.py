"""The fast YAML reader: it reads the shapes sops files have, and agrees with libyaml.

Three properties, none of which passes by the fast reader stepping aside: documents in the
block style sops writes (plain words, numbers, nested mappings, lists of scalars or mappings,
comments) are always read by the fast reader, with libyaml's result; on anything the emitter
can write, the fast reader either gives libyaml's result or declines, and then the public
``load_documents`` still gives libyaml's result; and a list of hand-picked inputs states which
reader each one must take.
"""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from tests.sops.samples import YAML

from sealbox.sops.errors import InvalidInputError
from sealbox.sops.formats.yaml_emit import emit_documents
from sealbox.sops.formats.yaml_events import load_events
from sealbox.sops.formats.yaml_fast import Unsupported, load_fast
from sealbox.sops.formats.yaml_load import load_documents
from sealbox.sops.tree import Branch, Comment, Value

TEXT = st.characters(blacklist_categories=["Cs"])
# printable only: comments come from parsed files, which cannot hold control characters
WORDS = st.characters(min_codepoint=0x20, max_codepoint=0x17F).filter(str.isprintable)
KEYS = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_.-]{0,6}", fullmatch=True),
    st.text(WORDS, min_size=1, max_size=5),
    st.text(TEXT, max_size=5),
)
SCALARS = st.one_of(
    st.text(WORDS, max_size=10),
    st.text(TEXT, max_size=10),
    st.sampled_from(["yes", "0777", "1e3", "~", "2024-01-02", "a #b", "x: y", "'q'", "a\nb\n"]),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
COMMENTS = st.builds(Comment, st.text(WORDS, max_size=8))


def _branch(items: list[tuple[str, Value] | Comment]) -> Branch:
    seen: set[str] = set()
    unique: list[tuple[str, Value] | Comment] = []
    for item in items:
        if isinstance(item, tuple):
            if item[0] in seen:
                continue
            seen.add(item[0])
        unique.append(item)
    return Branch(unique)


NESTED = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(st.one_of(children, COMMENTS), max_size=4),
        st.lists(st.one_of(st.tuples(KEYS, children), COMMENTS), max_size=4).map(_branch),
    ),
    max_leaves=12,
)
DOCUMENT = st.lists(st.one_of(st.tuples(KEYS, NESTED), COMMENTS), min_size=1, max_size=6).map(
    _branch
)


# The shapes of real sops files: what the fast reader exists for, and must never decline.
SOPS_WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,8}( [A-Za-z0-9]{1,5}){0,2}", fullmatch=True)
SOPS_SCALAR = st.one_of(
    SOPS_WORD,
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)
SOPS_KEY = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)
SOPS_COMMENT = st.builds(Comment, st.from_regex(r"( [A-Za-z0-9]{1,6}){0,3}", fullmatch=True))


def _mapping(children: st.SearchStrategy[Value]) -> st.SearchStrategy[Branch]:
    entries = st.one_of(st.tuples(SOPS_KEY, children), SOPS_COMMENT)
    return st.lists(entries, min_size=1, max_size=4).map(_branch).filter(lambda b: bool(b.keys()))


SOPS_VALUE: st.SearchStrategy[Value] = st.deferred(
    lambda: st.one_of(
        SOPS_SCALAR,
        st.lists(st.one_of(SOPS_SCALAR, SOPS_MAPPING), min_size=1, max_size=3),
        SOPS_MAPPING,
    )
)
SOPS_MAPPING: st.SearchStrategy[Branch] = st.deferred(lambda: _mapping(SOPS_VALUE))


@settings(max_examples=300, deadline=None)
@given(st.lists(SOPS_MAPPING, min_size=1, max_size=3), st.sampled_from([2, 4]))
def test_fast_reader_reads_sops_shaped_documents_as_libyaml_does(
    documents: list[Branch], indent: int
) -> None:
    text = emit_documents(documents, indent)
    assert load_fast(text) == load_events(text)  # Unsupported here fails the test


@settings(max_examples=400, deadline=None)
@given(st.lists(DOCUMENT, min_size=1, max_size=3), st.sampled_from([2, 4]))
def test_fast_reader_agrees_with_libyaml_or_declines(documents: list[Branch], indent: int) -> None:
    text = emit_documents(documents, indent)
    expected = load_events(text)
    try:
        fast = load_fast(text)
    except Unsupported:
        event("declined by the fast reader")
        assert load_documents(text) == expected  # the fallback, not the exception, reaches callers
    else:
        event("read by the fast reader")
        assert fast == expected


FAST, LIBYAML = "fast", "libyaml"


@pytest.mark.parametrize(
    ("text", "reader"),
    [
        (YAML, LIBYAML),  # a flow sequence ([1, 2]) and non-ASCII text
        (
            "a: 1 # eol\nb:\n  # c\n  c: |\n    x\n    # inside\n  d: 'q'\n# before\ne:\n- x\n- y\n# t\n",
            FAST,
        ),
        ("a:\n    - b: 1\n      c:\n        - 2\n    # mid\n    - 3\n# end\n", FAST),
        ("k: |-\n    a\n\n    b\nn: 1\n", FAST),
        ("k: |+\n    a\n\nn: 1\n", FAST),
        ("---\na: 1\n---\n# two\nb: 2\n", FAST),
        ("a: x\n  continued\n", LIBYAML),  # multi-line plain scalar
        ("a:\n# shallow\n    b: 1\n", LIBYAML),  # comment shallower than its block
        ("a: &x 1\nb: *x\n", LIBYAML),  # anchors
        ("a: 'it''s' # c\nb: \"q\"  # d\n", FAST),
        ("- 1\n", LIBYAML),  # not a mapping: libyaml's error
        ("# only\n", LIBYAML),
        ("a:\n    - - 1\n", LIBYAML),  # a list directly in a list
        ('a: "tab\\there"\n', LIBYAML),  # escapes
        ("a: 1\r\n", LIBYAML),  # CRLF
        ("", FAST),
    ],
)
def test_each_input_takes_the_reader_it_should(text: str, reader: str) -> None:
    try:
        expected = load_events(text)
    except InvalidInputError:
        assert reader == LIBYAML
        with pytest.raises(Unsupported):
            load_fast(text)
        with pytest.raises(InvalidInputError):
            load_documents(text)
        return
    if reader == FAST:
        assert load_fast(text) == expected
    else:
        with pytest.raises(Unsupported):
            load_fast(text)
        assert load_documents(text) == expected


def test_sops_files_take_the_fast_path() -> None:
    text = 'a: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n    age:\n        - recipient: r\n          enc: |\n            -----BEGIN\n            x\n    lastmodified: "2024-01-01T00:00:00Z"\n'
    assert load_fast(text) == load_events(text)
