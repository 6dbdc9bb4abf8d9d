"""The backend implements every store Protocol completely.

The Protocols are read from ``untold.store.base`` itself, so a member added there
is checked here without editing this file: a backend that lacks it, has it as
something not callable, or names its parameters differently, fails. (This is what
``isinstance`` against a ``@runtime_checkable`` Protocol checks, and more: the
Protocols need not be runtime-checkable for it.)
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol

import pytest

from untold.store import base
from untold.store.base import Store


def is_protocol(obj: object) -> bool:
    """A Protocol class itself (not a class that merely implements one)."""
    return inspect.isclass(obj) and bool(obj.__dict__.get("_is_protocol"))


def get_protocol_members(proto: type) -> set[str]:
    """The public methods and attributes ``proto`` and the Protocols it extends declare
    (``typing.get_protocol_members`` arrives only with Python 3.13)."""
    names: set[str] = set()
    for cls in proto.__mro__:
        if cls is Protocol or not is_protocol(cls):
            continue
        names |= {n for n in (*vars(cls), *vars(cls).get("__annotations__", {}))
                  if not n.startswith("_")}
    return names


PROTOCOLS: dict[str, type] = {
    name: obj for name, obj in vars(base).items()
    if is_protocol(obj) and obj.__module__ == base.__name__
}
# attributes a Protocol declares as data, not methods (everything else must be callable)
DATA_MEMBERS = {"backend"}


def test_the_protocols_are_found() -> None:
    # the suite must not pass vacuously: the areas named in the seams issue are there
    assert {"Store", "SearchStore", "AnalysisStore"} <= set(PROTOCOLS)
    assert all(get_protocol_members(p) for p in PROTOCOLS.values())


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_store_has_every_member(store: Store, name: str) -> None:
    proto = PROTOCOLS[name]
    missing = sorted(m for m in get_protocol_members(proto) if not hasattr(store, m))
    assert missing == [], f"{type(store).__name__} lacks {name} members {missing}"
    for member in sorted(get_protocol_members(proto) - DATA_MEMBERS):
        assert callable(getattr(store, member)), f"{name}.{member} is not callable"


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_store_members_take_the_protocols_arguments(store: Store, name: str) -> None:
    """Each method accepts the parameters its Protocol names (callers pass them by
    keyword), with the same kinds: keyword-only stays keyword-only."""
    proto = PROTOCOLS[name]
    for member in sorted(get_protocol_members(proto) - DATA_MEMBERS):
        want = _params(getattr(proto, member))
        have = _params(getattr(type(store), member))
        for pname, kind in want.items():
            assert pname in have, f"{name}.{member}: no parameter {pname!r}"
            if kind is inspect.Parameter.KEYWORD_ONLY:
                assert have[pname] is kind, f"{name}.{member}: {pname!r} is not keyword-only"


def _params(fn: Any) -> dict[str, inspect._ParameterKind]:
    fn = inspect.unwrap(fn)
    if isinstance(fn, staticmethod | classmethod):
        fn = fn.__func__
    sig = inspect.signature(fn)
    return {p.name: p.kind for p in sig.parameters.values() if p.name != "self"}


def test_backend_names_itself(store: Store) -> None:
    assert isinstance(store.backend, str) and store.backend
