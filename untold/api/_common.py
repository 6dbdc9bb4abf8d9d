"""What every area of :mod:`untold.api` shares: loading a study, opening its archive
and the checks each entry point makes before any work (written once, here).

Private: the public names (``load``, ``open_archive``, ``StudyLike``) are re-exported
by :mod:`untold.api`; the checks are for the api modules only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from untold.config import Study, load_study
from untold.errors import ConfigError, StoreError, UntoldError
from untold.query import compile_query
from untold.store import Store, open_store

__all__ = ["StudyLike", "check_format", "check_outlets", "load", "open_archive",
           "require_archive"]

StudyLike = str | Path | Study


def load(study: StudyLike) -> Study:
    """The study itself: a loaded :class:`Study` as it is, a path read and checked
    (every story's query and facts included, before any work)."""
    return study if isinstance(study, Study) else load_study(study, check_query=compile_query)


def open_archive(study: StudyLike, *, readonly: bool = False) -> Store:
    """The study's archive; created (and migrated) on first write."""
    return open_store(load(study).db_path, readonly=readonly)


def require_archive(st: Study, hint: str) -> None:
    """Fail (one ``StoreError`` for every entry point) when the study has no archive yet;
    ``hint`` names the command that makes what this entry point reads."""
    if not st.db_path.exists():
        raise StoreError("archive not found", source=str(st.db_path), hint=hint)


def check_outlets(st: Study, outlets: Sequence[str]) -> None:
    """Fail on the first (sorted) outlet id the study does not name."""
    unknown = set(outlets) - {o.id for o in st.outlets}
    if unknown:
        raise ConfigError(f"no outlet with id {sorted(unknown)[0]!r}", source=str(st.path))


def check_format(fmt: str, choices: Sequence[str], *, hint: str) -> None:
    """Fail on an output format an entry point does not write (the CLI checks its
    ``--format`` while parsing; this is for library callers)."""
    if fmt not in choices:
        raise UntoldError(f"unknown format {fmt!r}", hint=hint)
