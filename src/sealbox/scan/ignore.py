"""``.gitignore`` matching for tree scans, following git's documented pattern rules.

Rules (gitignore(5)): blank lines and ``#`` comments are skipped; ``!`` re-includes; a trailing
``/`` matches directories only; a pattern with a ``/`` before its last character is anchored to
the directory of its ``.gitignore``, otherwise it matches a name at any depth; ``*`` and ``?``
never cross ``/``; ``**`` spans directories in ``**/x``, ``x/**`` and ``a/**/b``. The last
matching pattern wins, deeper files after shallower ones; an excluded directory is not entered,
so nothing below it can be re-included (as in git).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


def _translate(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = glob.find("]", i + 2 if glob[i + 1 : i + 2] in {"!", "]"} else i + 1)
            if close < 0:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close
        elif char == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def parse(text: str) -> list[_Pattern]:
    """The patterns of one ``.gitignore`` file."""
    patterns: list[_Pattern] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        while line.endswith(" ") and not line.endswith("\\ "):
            line = line[:-1]
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate or line.startswith(("\\!", "\\#")):
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        body = _translate(line)
        prefix = "" if anchored else "(?:.*/)?"
        patterns.append(_Pattern(re.compile(f"^{prefix}{body}$"), negate, dir_only))
    return patterns


class IgnoreRules:
    """The ``.gitignore`` patterns in force for one directory and its ancestors."""

    def __init__(self, layers: tuple[tuple[str, tuple[_Pattern, ...]], ...] = ()) -> None:
        self._layers = layers

    def child(self, base: str, text: str) -> IgnoreRules:
        """These rules plus a ``.gitignore`` found in directory ``base`` (relative, posix)."""
        patterns = tuple(parse(text))
        if not patterns:
            return self
        return IgnoreRules((*self._layers, (base, patterns)))

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether ``path`` (relative to the scan root, posix) is ignored."""
        verdict = False
        for base, patterns in self._layers:
            if base:
                if not path.startswith(base + "/"):
                    continue
                relative = path[len(base) + 1 :]
            else:
                relative = path
            for pattern in patterns:
                if pattern.dir_only and not is_dir:
                    continue
                if pattern.regex.match(relative):
                    verdict = not pattern.negate
        return verdict
