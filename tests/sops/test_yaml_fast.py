"""The fast YAML reader agrees with the libyaml reader wherever it accepts the input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sops.samples import YAML

from sealbox.sops.formats.yaml_emit import emit_documents
from sealbox.sops.formats.yaml_events import load_events
from sealbox.sops.formats.yaml_fast import Unsupported, load_fast
from sealbox.sops.tree import Branch, Comment, Value

TEXT = st.characters(blacklist_categories=["Cs"])
WORDS = st.characters(min_codepoint=0x20, max_codepoint=0x17F)
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


def _agree(text: str) -> None:
    try:
        fast = load_fast(text)
    except Unsupported:
        return
    assert fast == load_events(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(DOCUMENT, min_size=1, max_size=3), st.sampled_from([2, 4]))
def test_fast_reader_matches_libyaml_on_emitted_documents(
    documents: list[Branch], indent: int
) -> None:
    _agree(emit_documents(documents, indent))


@pytest.mark.parametrize(
    "text",
    [
        YAML,
        "a: 1 # eol\nb:\n  # c\n  c: |\n    x\n    # inside\n  d: 'q'\n# before\ne:\n- x\n- y\n# t\n",
        "a:\n    - b: 1\n      c:\n        - 2\n    # mid\n    - 3\n# end\n",
        "k: |-\n    a\n\n    b\nn: 1\n",
        "k: |+\n    a\n\nn: 1\n",
        "---\na: 1\n---\n# two\nb: 2\n",
        "a: x\n  continued\n",
        "a:\n# shallow\n    b: 1\n",
        "a: &x 1\nb: *x\n",
        "a: 'it''s' # c\nb: \"q\"  # d\n",
        "- 1\n",
        "# only\n",
        "",
    ],
)
def test_fast_reader_matches_libyaml_on_tricky_inputs(text: str) -> None:
    _agree(text)


def test_sops_files_take_the_fast_path() -> None:
    text = 'a: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n    age:\n        - recipient: r\n          enc: |\n            -----BEGIN\n            x\n    lastmodified: "2024-01-01T00:00:00Z"\n'
    assert load_fast(text) == load_events(text)
