"""The conformance suite every storage backend must pass.

Mirrors OpenBao's sdk/physical/testing.go (ExerciseBackend, ExerciseBackend_ListPrefix and
ExerciseTransactionalBackend) on our ``Storage`` protocol, plus what Vault leaves implicit:
binary and empty values, unicode keys, prefixes that do not end in ``/``, invalid keys and
all-or-nothing transactions. Run it on an empty backend: it checks that it leaves the
backend empty again. It lives in ``src`` so out-of-tree backends can run it too; failures
raise ``AssertionError`` naming the check (never a stored value).
"""

from __future__ import annotations

from sealbox.logical.storage import Storage, TxOp
from sealbox.storage.keys import InvalidKey


def _expect(condition: bool, check: str) -> None:
    if not condition:
        raise AssertionError(f"storage conformance: {check}")


async def _expect_list(storage: Storage, prefix: str, expected: list[str], check: str) -> None:
    got = await storage.list(prefix)
    _expect(got == expected, f"{check}: list({prefix!r}) returned {got!r}, want {expected!r}")


async def exercise_storage(storage: Storage) -> None:
    """Run every check in order against an empty ``storage``."""
    await _basic(storage)
    await _nested(storage)
    await _list_prefix(storage)
    await _values_and_keys(storage)
    await _transactions(storage)
    await _invalid_keys(storage)
    await _expect_list(storage, "", [], "suite leaves the backend empty")


async def _basic(storage: Storage) -> None:
    await _expect_list(storage, "", [], "initial list is empty")
    await storage.delete("foo")  # deleting a missing key is not an error
    _expect(await storage.get("foo") is None, "get of a missing key is None")
    await storage.put("foo", b"test")
    _expect(await storage.get("foo") == b"test", "get returns what put stored")
    await _expect_list(storage, "", ["foo"], "list shows a put key")
    await storage.put("foo", b"second")
    _expect(await storage.get("foo") == b"second", "put overwrites")
    await storage.delete("foo")
    _expect(await storage.get("foo") is None, "get after delete is None")
    await _expect_list(storage, "", [], "list after delete is empty")


async def _nested(storage: Storage) -> None:
    await storage.put("foo", b"test")
    await storage.put("foo/bar", b"baz")
    await _expect_list(storage, "", ["foo", "foo/"], "a key and a folder of the same name")
    await storage.delete("foo")
    _expect(await storage.get("foo/bar") == b"baz", "deleting a key keeps its children")
    await storage.put("foo/nested1/nested2/nested3", b"baz")
    await storage.delete("foo/nested1/nested2/nested3")
    await _expect_list(storage, "foo/", ["bar"], "deleting a deep key leaves no folders")
    await storage.put("foo/zip", b"zap")
    await storage.delete("foo/bar")
    await _expect_list(storage, "", ["foo/"], "a folder stays while it has a key")
    await storage.delete("foo/zip")
    await _expect_list(storage, "", [], "a folder goes with its last key")
    await storage.put("foo/nested1/nested2/value1", b"baz")
    await storage.put("foo/nested1/nested2/value2", b"baz")
    await storage.delete("foo/nested1/nested2/value2")
    await _expect_list(storage, "", ["foo/"], "deep folders survive a sibling's delete")
    await _expect_list(storage, "foo/nested1/", ["nested2/"], "list a middle folder")
    await storage.delete("foo/nested1/nested2/value1")
    names = [f"key-{i}" for i in range(10)]
    for count, name in enumerate(names, start=1):
        await storage.put("foo/" + name, b"baz")
        await _expect_list(storage, "foo/", names[:count], "keys are listed in sorted order")
    for name in names:
        await storage.delete("foo/" + name)
    await _expect_list(storage, "", [], "everything deleted")


async def _list_prefix(storage: Storage) -> None:
    keys = ["foo", "foo/bar", "foo/bar/baz", "foo/bar/qux/deep", "foo.txt", "foo0", "fox"]
    for key in keys:
        await storage.put(key, b"v")
    await _expect_list(storage, "", ["foo", "foo.txt", "foo/", "foo0", "fox"], "root")
    await _expect_list(storage, "foo/", ["bar", "bar/"], "level one")
    await _expect_list(storage, "foo/bar/", ["baz", "qux/"], "level two")
    await _expect_list(storage, "missing/", [], "a missing folder is empty")
    # A prefix without a trailing "/" is a plain string prefix (Vault's physical semantics).
    await _expect_list(storage, "fo", ["o", "o.txt", "o/", "o0", "x"], "partial segment")
    await _expect_list(storage, "foo/ba", ["r", "r/"], "partial name inside a folder")
    await _expect_list(storage, "foo", ["", ".txt", "/", "0"], "prefix equal to a key")
    for key in keys:
        await storage.delete(key)


async def _values_and_keys(storage: Storage) -> None:
    every_byte = bytes(range(256))
    await storage.put("bin/all", every_byte)
    await storage.put("bin/empty", b"")
    await storage.put("bin/nul", b"\x00\x00")
    _expect(await storage.get("bin/all") == every_byte, "binary values round-trip")
    _expect(await storage.get("bin/empty") == b"", "an empty value is not a missing one")
    _expect(await storage.get("bin/nul") == b"\x00\x00", "NUL bytes round-trip")
    await _expect_list(storage, "bin/", ["all", "empty", "nul"], "empty values are listed")
    unicode_keys = ["ünï/cödé", "ünï/日本語", "ünï/emoji-\U0001f510", "ünï/sp ace"]
    for key in unicode_keys:
        await storage.put(key, key.encode())
    for key in unicode_keys:
        _expect(await storage.get(key) == key.encode(), "unicode keys round-trip")
    want = sorted(key.removeprefix("ünï/") for key in unicode_keys)
    await _expect_list(storage, "ünï/", want, "unicode keys list in code-point order")
    await _expect_list(storage, "", ["bin/", "ünï/"], "unicode folder at the root")
    await storage.transaction([TxOp(k, None) for k in [*unicode_keys, "bin/all", "bin/empty"]])
    await storage.delete("bin/nul")


async def _transactions(storage: Storage) -> None:
    await storage.transaction([])
    await storage.put("tx/old", b"old")
    await storage.transaction(
        [TxOp("tx/a", b"1"), TxOp("tx/b", b"2"), TxOp("tx/old", None), TxOp("tx/a", b"3")]
    )
    _expect(await storage.get("tx/a") == b"3", "later ops in a transaction win")
    _expect(await storage.get("tx/b") == b"2", "a transaction applies every put")
    _expect(await storage.get("tx/old") is None, "a transaction applies deletes")
    failed = False
    try:
        await storage.transaction(
            [TxOp("tx/c", b"new"), TxOp("tx/a", None), TxOp("../escape", b"x")]
        )
    except ValueError:
        failed = True
    _expect(failed, "a transaction with an invalid key fails")
    _expect(await storage.get("tx/c") is None, "a failed transaction writes nothing")
    _expect(await storage.get("tx/a") == b"3", "a failed transaction deletes nothing")
    await _expect_list(storage, "tx/", ["a", "b"], "a failed transaction leaves no keys")
    await storage.transaction([TxOp("tx/a", None), TxOp("tx/b", None), TxOp("tx/none", None)])
    await _expect_list(storage, "", [], "transaction deletes, missing keys included")


async def _invalid_keys(storage: Storage) -> None:
    for key in ["", "/abs", "a/../b", "..", "nul\x00key", "bad-\ud800"]:
        rejected = False
        try:
            await storage.put(key, b"x")
        except InvalidKey:
            rejected = True
        _expect(rejected, f"put refuses the invalid key {key!r}")
    for prefix in ["/abs", "../", "a/../"]:
        rejected = False
        try:
            await storage.list(prefix)
        except ValueError:
            rejected = True
        _expect(rejected, f"list refuses the invalid prefix {prefix!r}")
