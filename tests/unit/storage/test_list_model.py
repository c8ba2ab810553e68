"""Property: both backends list exactly what a naive model of Vault's semantics lists."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sealbox.storage import InMemoryStorage, SQLiteStorage
from sealbox.storage.keys import upper_bound as _upper_bound

_KEY = st.lists(
    st.sampled_from(["a", "b", "a.", "a0", "é", "\U0001f510", "x-"]), min_size=1, max_size=4
).map("/".join)


def _model(keys: set[str], prefix: str) -> list[str]:
    out = set()
    for key in keys:
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            slash = rest.find("/")
            out.add(rest if slash < 0 else rest[: slash + 1])
    return sorted(out)


@settings(max_examples=40, deadline=None)
@given(
    keys=st.sets(_KEY, max_size=25),
    prefixes=st.lists(
        st.sampled_from(["", "a", "a/", "a/b", "a/b/", "é/", "\U0001f510", "b/a.", "x"]),
        min_size=1,
        max_size=4,
    ),
)
def test_list_matches_model(keys: set[str], prefixes: list[str]) -> None:
    async def run(tmp: str) -> None:
        backends: list[InMemoryStorage | SQLiteStorage] = [
            InMemoryStorage(),
            SQLiteStorage(str(Path(tmp) / "db")),
        ]
        try:
            for storage in backends:
                for key in keys:
                    await storage.put(key, b"")
                for prefix in prefixes:
                    assert await storage.list(prefix) == _model(keys, prefix), prefix
        finally:
            for storage in backends:
                await storage.close()

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(tmp))


@given(
    prefix=st.text(min_size=1, max_size=5).filter(
        lambda s: not any("\ud800" <= c <= "\udfff" for c in s)
    ),
    suffix=st.text(max_size=3),
)
def test_upper_bound_is_above_every_extension(prefix: str, suffix: str) -> None:
    bound = _upper_bound(prefix)
    if bound is not None:
        assert prefix + suffix < bound
        assert prefix <= bound


def test_upper_bound_edges() -> None:
    assert _upper_bound("") is None
    assert _upper_bound("a/") == "a0"
    assert _upper_bound("\U0010ffff") is None
    assert _upper_bound("a\U0010ffff") == "b"
    assert _upper_bound("\ud7ff") == "\ue000"
