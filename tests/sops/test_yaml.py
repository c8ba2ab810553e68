"""The YAML store: yaml.v3 scalar resolution, comments, documents, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sealbox.sops.errors import InvalidInputError
from sealbox.sops.formats.yaml_emit import emit_documents
from sealbox.sops.formats.yaml_load import load_documents
from sealbox.sops.tree import Branch, Comment, to_plain


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("False", False),
        ("yes", "yes"),
        ("on", "on"),
        ("~", None),
        ("null", None),
        ("0777", 511),
        ("0o17", 15),
        ("0x1F", 31),
        ("0b101", 5),
        ("1_000", 1000),
        ("08", 8.0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".inf", float("inf")),
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", "2024-01-02T03:04:05"),
        ("1:20", "1:20"),
        ("'123'", "123"),
        ('"true"', "true"),
        ("!!str 12", "12"),
    ],
)
def test_scalars_resolve_like_yaml_v3(text: str, value: object) -> None:
    (document,) = load_documents(f"k: {text}\n")
    assert document.get("k") == value


def test_comments_keep_their_place_and_line_comments_move_above() -> None:
    text = (
        "# head\n"
        "a: 1  # about a\n"
        "b:\n"
        "    # inside b\n"
        "    c: x\n"
        "# before d\n"
        "d:\n"
        "    - 1\n"
        "    # between\n"
        "    - 2\n"
        "# tail\n"
    )
    (document,) = load_documents(text)
    assert document.items[:3] == [Comment(" head"), Comment(" about a"), ("a", 1)]
    inner = document.get("b")
    assert isinstance(inner, Branch)
    assert inner.items == [Comment(" inside b"), ("c", "x")]
    assert document.items[4] == Comment(" before d")
    assert document.get("d") == [1, Comment(" between"), 2]
    assert document.items[-1] == Comment(" tail")
    again = emit_documents([document])
    assert load_documents(again) == [document]


def test_block_scalar_content_is_not_a_comment() -> None:
    (document,) = load_documents("s: |\n    # not a comment\n    x\nt: 1\n")
    assert document.items == [("s", "# not a comment\nx\n"), ("t", 1)]


def test_multiple_documents_and_anchors() -> None:
    documents = load_documents("base: &b {x: 1}\nuse: *b\n---\nsecond: 2\n")
    assert [to_plain(d) for d in documents] == [
        {"base": {"x": 1}, "use": {"x": 1}},
        {"second": 2},
    ]
    assert emit_documents(documents) == "base:\n    x: 1\nuse:\n    x: 1\n---\nsecond: 2\n"


@pytest.mark.parametrize(
    "text",
    ["a: 1\na: 2\n", "- 1\n- 2\n", "plain scalar\n", "a: [1\n", "{a: 1}: x\n"],
    ids=["duplicate-key", "top-level-list", "top-level-scalar", "syntax", "complex-key"],
)
def test_invalid_yaml_is_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(InvalidInputError, match="Error unmarshalling input YAML"):
        load_documents(text)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("yes", '"yes"'),
        ("123", '"123"'),
        ("", '""'),
        ("a: b", "'a: b'"),  # an indicator: single quotes, as libyaml picks (see test_yaml_styles)
        ("- x", "'- x'"),
        ("tab\there", '"tab\\there"'),
        (
            "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
            "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
        ),
        (1.0, "1"),
        (None, "null"),
        ("two\nlines\n", "|\n    two\n    lines"),
    ],
)
def test_emitted_scalars(value: object, written: str) -> None:
    text = emit_documents([Branch([("k", value)])])  # type: ignore[list-item]
    assert text == f"k: {written}\n"
