"""``untold.api`` is the whole public surface, and says so in ``__all__`` (as httpx's
tests check its own): every listed name exists and is public, every public name the
package exposes is listed, each area module's entry points are all exposed, and the
list is sorted (the way ruff's RUF022 sorts it) without repeats. The same error
means the same exception class in every entry point."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
from pathlib import Path

import pytest

from untold import api
from untold.errors import ConfigError, StoreError

# private modules whose public-looking names are helpers for the other api modules,
# re-exported only where the surface names them (load, open_archive, StudyLike)
HELPER_MODULES = ("untold.api._common",)


def _modules() -> list[types.ModuleType]:
    return [importlib.import_module(f"untold.api.{m.name}")
            for m in pkgutil.iter_modules(api.__path__)]


def _ruff_order(name: str) -> tuple[int, str]:
    """RUF022's isort-style order: CONSTANTS, then Classes, then the rest."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_every_listed_name_exists_and_is_public() -> None:
    for name in api.__all__:
        assert not name.startswith("_"), name
        assert hasattr(api, name), f"untold.api.__all__ names {name!r}, which it lacks"


def test_all_is_sorted_without_repeats() -> None:
    assert len(api.__all__) == len(set(api.__all__))
    assert api.__all__ == sorted(api.__all__, key=_ruff_order)


def test_every_public_name_of_the_package_is_listed() -> None:
    public = {n for n, v in vars(api).items()
              if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public == set(api.__all__), (sorted(public - set(api.__all__)),
                                        sorted(set(api.__all__) - public))


def test_every_area_entry_point_is_exposed() -> None:
    """A function or class defined in an area module, or listed in its ``__all__``, is
    part of the surface (a new entry point cannot be forgotten in ``__init__``)."""
    mods = _modules()
    assert {m.__name__ for m in mods} >= {"untold.api._archive", "untold.api._edits",
                                          "untold.api._findings", "untold.api._ooni",
                                          "untold.api._probe", "untold.api._report",
                                          "untold.api._stories", "untold.api._demo"}
    for mod in mods:
        if mod.__name__ in HELPER_MODULES:
            continue
        defined = {n for n, v in vars(mod).items() if not n.startswith("_")
                   and (inspect.isfunction(v) or inspect.isclass(v))
                   and v.__module__ == mod.__name__}
        listed = set(getattr(mod, "__all__", ()))
        assert defined <= listed, (mod.__name__, sorted(defined - listed))
        assert listed <= set(api.__all__), (mod.__name__, sorted(listed - set(api.__all__)))
        for name in listed:
            assert getattr(api, name) is getattr(mod, name), (mod.__name__, name)


def test_the_old_flat_modules_are_gone() -> None:
    for old in ("api_edits", "api_findings", "api_ooni", "api_probe", "api_report",
                "api_stories", "cli_common", "cli_edits", "cli_findings", "cli_ooni",
                "cli_probe", "cli_report", "cli_stories"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"untold.{old}")


def test_archive_not_found_is_one_class(tmp_path: Path) -> None:
    """Every entry point that needs an archive says "archive not found" as a StoreError
    (it was an UntoldError, an InputError or a StoreError depending on the area)."""
    study = api.init_study(tmp_path / "s.toml")
    calls = [lambda: api.archive_check(study), lambda: api.revisit(study),
             lambda: api.analyze_edits(study), lambda: api.rescore_study(study),
             lambda: api.report(study)]
    for call in calls:
        with pytest.raises(StoreError, match="archive not found") as info:
            call()
        assert info.value.source == str(tmp_path / "archive" / "archive.sqlite")
        assert info.value.hint and info.value.hint.startswith("run 'untold ")
    assert not (tmp_path / "archive").exists()  # nothing was made on the way


def test_unknown_outlet_is_one_class(tmp_path: Path) -> None:
    """An outlet id the study does not name is a ConfigError in every entry point (the
    probe's was a ProbeError), with the same message; nothing is fetched or made."""
    study = api.init_study(tmp_path / "s.toml")
    calls = [lambda: api.collect(study, outlets=["nope"]),
             lambda: api.revisit(study, outlets=["nope"]),
             lambda: api.probe_targets(study, outlets=["nope"])]
    for call in calls:
        with pytest.raises(ConfigError) as info:
            call()
        assert info.value.message == "no outlet with id 'nope'"
        assert info.value.source == str(study)
    assert not (tmp_path / "archive").exists()
