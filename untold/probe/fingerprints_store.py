"""Installed fingerprint files: validated copies of user-downloaded OONI CSVs.

Files live in ``<data dir>/fingerprints/`` (the user's: ``$UNTOLD_DATA_DIR``,
else ``$XDG_DATA_HOME/untold``, else ``~/.local/share/untold``) or in a study's
archive (``<archive>/fingerprints/``), so a study carries the fingerprints its
verdicts were made with. Every file is validated before any is copied.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from untold.errors import ImportFormatError
from untold.probe.fingerprints import Fingerprint, Fingerprints, load_csv, split

__all__ = ["install", "installed_files", "load_all", "user_data_dir"]


def user_data_dir() -> Path:
    if os.environ.get("UNTOLD_DATA_DIR"):
        return Path(os.environ["UNTOLD_DATA_DIR"])
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "untold"


def install(files: list[Path], dest: Path) -> list[tuple[Path, int, int]]:
    """Validate every file, then copy each to ``dest/fingerprints``.

    Returns (installed path, dns rows, http rows) per file. A file of the same
    name is replaced: that is how an update arrives.
    """
    checked: list[tuple[Path, list[Fingerprint]]] = []
    for f in files:
        f = Path(f)
        if f.suffix.lower() != ".csv":
            raise ImportFormatError("not a .csv file", source=str(f),
                                    hint="give OONI's fingerprints_dns.csv / fingerprints_http.csv")
        checked.append((f, load_csv(f)))
    names = [f.name for f, _ in checked]
    if len(set(names)) != len(names):
        raise ImportFormatError("two files with the same name", source=", ".join(names),
                                hint="rename one: installed files are kept by name")
    target = dest / "fingerprints"
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for f, rows in checked:
        tmp = target / (f.name + ".tmp")
        shutil.copyfile(f, tmp)
        tmp.replace(target / f.name)  # atomic: a crash never leaves half a file
        dns = sum(1 for r in rows if r.location == "dns")
        out.append((target / f.name, dns, len(rows) - dns))
    return out


def installed_files(dirs: list[Path]) -> list[Path]:
    return [p for d in dirs for p in sorted((d / "fingerprints").glob("*.csv"))]


def load_all(dirs: list[Path]) -> Fingerprints:
    """untold's own set, then every installed file (user's, then the study's)."""
    fp = Fingerprints.builtin()
    for p in installed_files(dirs):
        fp = fp + split(load_csv(p))
    return fp
