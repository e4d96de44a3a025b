"""One registry pattern for everything a user names by string: layers, optimizers, augmentations...

As in Keras, an unknown name is answered with the list of the valid ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Generic, TypeVar

from neuroflow.errors import NeuroflowError, UsageError

T = TypeVar("T")


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


class Registry(Generic[T]):
    """Names (case-, space- and underscore-insensitive, with aliases) mapped to entries.

    `what` names the kind of thing in messages ("optimizer"); `error` is the NeuroflowError subclass
    raised for an unknown name, so a bad layer stays a SpecError and a bad flag a UsageError.
    """

    def __init__(self, what: str, error: type[NeuroflowError] = UsageError, hint: str = ""):
        self.what, self.error, self.hint = what, error, hint
        self._entries: dict[str, T] = {}
        self._keys: dict[str, str] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, entry: T | None = None, *, aliases: tuple[str, ...] = ()):
        """Add `entry` under `name`; without an entry, a decorator that registers what it wraps."""

        def add(value: T) -> T:
            self._entries[name] = value
            self._keys[_key(name)] = name
            for alias in aliases:
                self.alias(alias, name)
            return value

        return add if entry is None else add(entry)

    def alias(self, alias: str, name: str) -> None:
        self._keys[_key(alias)] = name
        self._aliases[alias] = name

    def aliases(self) -> dict[str, str]:
        """Each other name, in the order added, mapped to the registered name it stands for."""
        return dict(self._aliases)

    def resolve(self, name: str) -> str:
        """The registered spelling of `name`, or the error listing every valid name."""
        key = _key(str(name))
        if key not in self._keys:
            listed = ", ".join(self.names())
            hint = f"choose one of: {listed}" + (f"; {self.hint}" if self.hint else "")
            what = f"unknown {self.what} {name!r}" if key else f"an empty {self.what} name"
            raise self.error(what, hint)
        return self._keys[key]

    def get(self, name: str) -> T:
        return self._entries[self.resolve(name)]

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _key(name) in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def items(self) -> Iterator[tuple[str, T]]:
        return iter(self._entries.items())


def registry_of(what: str, entries: dict[str, T], **kwargs) -> Registry[T]:
    """A registry filled from a dict, for tables that are written out in one place."""
    reg: Registry[T] = Registry(what, **kwargs)
    for name, entry in entries.items():
        reg.register(name, entry)
    return reg


__all__ = ["Registry", "registry_of"]
