"""One collector at a time per study: a lock file in the archive directory.

Two ``untold collect`` runs on one study would fetch every pending URL twice
(each reads the same frontier) and store two captures of each. So a run
takes ``<archive>/.collect.lock`` (``.revisit.lock`` for revisits) before it
reads the frontier, and a second run stops with one line naming the holder
(pid, host, command, start time).

The lock is a POSIX record lock (``fcntl.lockf``) on that file, not the
file's existence: the kernel drops it when the holding process exits in any
way (``kill -9`` included), so a lock left by a dead run is simply taken over
(stale-lock recovery needs no guessing). Record locks, unlike ``flock``, are
not inherited by forked children, so orphaned extraction workers of a killed
run do not keep the study locked. Where ``fcntl`` does not exist, an exclusive
file with the holder's pid stands in, and is taken over when that pid is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from untold.errors import StoreError

__all__ = ["RunLock", "StudyBusyError"]

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# Locks this process holds, by path: record locks do not exclude the process that
# holds them, so a second run inside one process is refused here.
_HELD: set[str] = set()
_HELD_LOCK = threading.Lock()


class StudyBusyError(StoreError):
    """Another run of the same kind holds the study."""


def _holder_text(info: dict[str, Any]) -> str:
    if not info:
        return "another process"
    parts = [f"pid {info.get('pid', '?')}"]
    if info.get("host") and info.get("host") != socket.gethostname():
        parts.append(f"on {info['host']}")
    if info.get("started"):
        parts.append(f"since {info['started']}")
    text = " ".join(parts)
    if info.get("command"):
        text += f": {info['command']}"
    return text


def _command_line() -> str:
    """This process's command line, as the user typed it (``python -m untold`` is ``untold``)."""
    prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"
    if prog in ("__main__.py", "untold", "untold.exe"):
        prog = "untold"
    return " ".join([prog, *sys.argv[1:]])[:300]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


class RunLock:
    """``with RunLock(archive_dir, "collect"):`` — raises StudyBusyError when held."""

    def __init__(self, archive_dir: str | Path, kind: str) -> None:
        self.kind = kind
        self.path = Path(archive_dir) / f".{kind}.lock"
        self._file: IO[str] | None = None

    def _busy(self, info: dict[str, Any]) -> StudyBusyError:
        return StudyBusyError(
            f"another 'untold {self.kind}' is running on this study ({_holder_text(info)})",
            source=str(self.path),
            hint="wait for it to finish or stop it; a run that died leaves no lock behind")

    def _read_info(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(self) -> RunLock:
        key = str(self.path.resolve())
        with _HELD_LOCK:
            if key in _HELD:
                raise self._busy({"pid": os.getpid(), "command": "this process"})
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open
            except OSError as exc:
                raise StoreError(f"cannot create the {self.kind} lock: {exc.strerror or exc}",
                                 source=str(self.path),
                                 hint="check that the archive directory is writable") from exc
            try:
                self._lock(f)
            except BaseException:
                f.close()
                raise
            info = {"pid": os.getpid(), "host": socket.gethostname(),
                    "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "command": _command_line()}
            with contextlib.suppress(OSError):  # the lock holds even if the note fails
                f.seek(0)
                f.truncate()
                f.write(json.dumps(info))
                f.flush()
            self._file = f
            _HELD.add(key)
        return self

    def _lock(self, f: IO[str]) -> None:
        if fcntl is not None:
            try:
                fcntl.lockf(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                raise self._busy(self._read_info()) from exc
            return
        # no record locks: the file's pid says who holds it; a dead pid is taken over
        info = self._read_info()
        pid = info.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and _pid_alive(pid):
            raise self._busy(info)

    def release(self) -> None:
        if self._file is None:
            return
        with _HELD_LOCK:
            _HELD.discard(str(self.path.resolve()))
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()  # no stale note for the next reader
            self._file.close()  # closing drops the record lock
            self._file = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
