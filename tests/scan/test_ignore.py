"""gitignore(5) pattern semantics and the tree walk that honours them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealbox.scan.ignore import IgnoreRules
from sealbox.scan.sources.tree import tree_items

RULES = IgnoreRules().child(
    "", "# comment\n*.log\n!keep.log\nbuild/\n/top.txt\ndocs/**/*.md\nsecret?.txt\n\\#hash\n"
)


@pytest.mark.parametrize(
    ("path", "is_dir", "ignored"),
    [
        ("a.log", False, True),
        ("deep/x/a.log", False, True),
        ("x/keep.log", False, False),
        ("build", True, True),
        ("x/build", True, True),
        ("build", False, False),
        ("top.txt", False, True),
        ("x/top.txt", False, False),
        ("docs/a/b/c.md", False, True),
        ("docs/c.md", False, True),
        ("other/c.md", False, False),
        ("secret1.txt", False, True),
        ("secret12.txt", False, False),
        ("#hash", False, True),
    ],
)
def test_patterns(path: str, is_dir: bool, ignored: bool) -> None:
    assert RULES.ignored(path, is_dir) is ignored


def test_nested_gitignore_applies_below_its_directory(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".gitignore").write_text("*.tmp\n")
    (tmp_path / "sub" / ".gitignore").write_text("local.env\n!wanted.tmp\n")
    for name in [
        "a.tmp",
        "local.env",
        "sub/local.env",
        "sub/deeper/local.env",
        "sub/wanted.tmp",
        "sub/b.tmp",
        "sub/keep.txt",
    ]:
        (tmp_path / name).write_text("x")
    (tmp_path / "ignored_dir").mkdir()
    (tmp_path / ".gitignore").write_text("*.tmp\nignored_dir/\n")
    (tmp_path / "ignored_dir" / "f.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    walked = {item.key for item in tree_items(tmp_path, gitignore=True)}
    assert walked == {".gitignore", "local.env", "sub/.gitignore", "sub/wanted.tmp", "sub/keep.txt"}
    everything = {item.key for item in tree_items(tmp_path)}
    assert "sub/b.tmp" in everything
    assert "ignored_dir/f.txt" in everything
    assert ".git/config" not in everything


def test_size_limit_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * 2048)
    (tmp_path / "small").write_bytes(b"x" * 10)
    (tmp_path / "link").symlink_to(tmp_path / "small")
    assert {i.key for i in tree_items(tmp_path, max_size=1024)} == {"small"}
