"""Imported WARC files are evidence the archive does not hold: register them.

Captures of imported pages point into their source WARC file by absolute path.
Before an import stores any capture of a file, the file is registered in the
archive (``warc_files``: path, size and modification time), and a thread hashes
the whole file while the import reads it; the SHA-256 is stored once the file
is done (hashlib releases the GIL, so the hashing costs a small share of one
core, far less than the import itself). An import that was killed left the
digest unknown; running it again fills it in.

A file registered before is not trusted blindly: if its size differs, or its
modification time differs and its content no longer hashes to the registered
digest, the import reports it (one error line) and does not read it again,
since the captures stored from it rest on what it was. A change that keeps size
and time is found when the file has been hashed, and reported the same way.
``untold check`` reports registered files that moved or changed; its full mode
proves the captures of an imported file by hashing the whole file and comparing
size and SHA-256 with the registry (reading its records only when they differ).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from untold.models import WarcFileEntry
from untold.store.base import Store
from untold.timeutil import to_iso

__all__ = ["HASH_BLOCK", "SourceFile", "file_sha256", "register_source"]

HASH_BLOCK = 1 << 20  # bytes read per step when hashing a whole file

ErrorLine = Callable[[str], None]


def file_sha256(path: str | Path, stop: threading.Event | None = None) -> tuple[str, int]:
    """(hex SHA-256, size) of a whole file, read front to back; OSError if unreadable."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(HASH_BLOCK)
        view = memoryview(buf)
        while not (stop is not None and stop.is_set()):
            n = f.readinto(buf)
            if not n:
                break
            h.update(view[:n])
            size += n
    return h.hexdigest(), size


class _Hasher(threading.Thread):
    """Hashes one file beside the import; ``digest`` and ``size`` once joined."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="untold-warc-hash", daemon=True)  # a killed import leaves it
        self.path = path
        self.digest: str | None = None
        self.size = 0
        self.error: str | None = None

    def run(self) -> None:
        try:
            self.digest, self.size = file_sha256(self.path)
        except OSError as exc:
            self.error = exc.strerror or str(exc)


def _day(dt: datetime) -> str:
    return (to_iso(dt) or "")[:10]


@dataclass
class SourceFile:
    """A registered source file while its import runs (see the module docstring)."""

    path: str  # absolute, resolved: what its captures' warc_file holds
    size: int  # as registered
    registered: WarcFileEntry | None  # the entry before this import (None: registered now)
    hasher: _Hasher

    def finish(self, store: Store, error: ErrorLine) -> None:
        """Store the file's digest after its first whole read, or report a change."""
        self.hasher.join()
        h, before = self.hasher, self.registered
        if h.error is not None or h.digest is None:
            error(f"{self.path}: cannot hash the WARC file: {h.error} (its digest stays "
                  "unknown; run the import again once the file is readable)")
            return
        if before is not None and before.sha256 is not None:
            if (h.digest, h.size) != (before.sha256, before.size):
                error(_changed_line(self.path, before, "its content differs"))
            return
        if h.size != self.size:
            error(f"{self.path}: the WARC file changed while it was imported ({self.size} "
                  f"bytes at the start, {h.size} at the end); its digest stays unknown "
                  "(run the import again once nothing writes to it)")
            return
        store.set_warc_file_digest(self.path, h.size, h.digest)


def _changed_line(path: str, before: WarcFileEntry, what: str) -> str:
    return (f"{path}: the WARC file changed since it was imported on "
            f"{_day(before.first_imported)} ({what}); not read again, its captures rest "
            "on the file as it was (restore the original, or import the new one under "
            "another name)")


def register_source(store: Store, path: Path, error: ErrorLine) -> SourceFile | None:
    """Register ``path`` before any capture of it is stored and start hashing it.

    None (after one ``error`` line) when the file changed since an earlier
    import registered it, or cannot be read.
    """
    try:
        resolved = path.resolve()
        st = resolved.stat()
    except OSError as exc:
        error(f"{path}: cannot open WARC file: {exc.strerror or exc}")
        return None
    mtime = datetime.fromtimestamp(st.st_mtime, UTC)
    before = store.register_warc_file(str(resolved), st.st_size, mtime)
    if before is not None:
        if st.st_size != before.size:
            error(_changed_line(str(resolved), before,
                                f"{before.size} bytes then, {st.st_size} now"))
            return None
        if before.sha256 is not None and to_iso(mtime) != to_iso(before.mtime):
            try:  # touched since: compare the content before reading it again
                digest, _ = file_sha256(resolved)
            except OSError as exc:
                error(f"{resolved}: cannot read WARC file: {exc.strerror or exc}")
                return None
            if digest != before.sha256:
                error(_changed_line(str(resolved), before, "its content differs"))
                return None
    hasher = _Hasher(resolved)
    hasher.start()
    return SourceFile(str(resolved), before.size if before else st.st_size, before, hasher)
