"""Small value classes without ``dataclasses``: equality, repr and (optionally) immutability.

Plain classes, not dataclasses: ``dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis``,
``tokenize``, ``linecache``), about 5 ms of ``sealbox-sops`` start-up, and every decorated class
costs another fraction of a millisecond to generate; start-up is benchmarked against Go sops
(issue 3). A subclass lists its fields in ``_fields`` and writes its own ``__init__``; it gets
what ``@dataclass`` generated for it before: ``__eq__`` (same class, equal fields), ``__repr__``
(fields in ``_hidden`` left out, so secrets stay out of logs) and, for ``FrozenRecord``, a
``__hash__`` and an error on assignment.
"""

from __future__ import annotations

from typing import ClassVar


class Record:
    """A mutable record; unhashable, like a dataclass with ``eq=True``."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _hidden: ClassVar[frozenset[str]] = frozenset()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __repr__(self) -> str:
        shown = (
            f"{name}={getattr(self, name)!r}" for name in self._fields if name not in self._hidden
        )
        return f"{type(self).__qualname__}({', '.join(shown)})"


class FrozenRecord(Record):
    """An immutable, hashable record, like a dataclass with ``frozen=True``.

    ``__init__`` sets the fields with ``_set``; assigning or deleting one later raises
    ``AttributeError``.
    """

    __slots__ = ()

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[type[FrozenRecord], tuple[object, ...]]:
        """Copy and pickle through ``__init__`` (whose arguments are ``_fields``, in order),
        since ``__setattr__`` refuses the attribute-by-attribute way."""
        return type(self), self._values()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")
