"""Library entry points for OONI data (re-exported by :mod:`untold.api`).

Re-score OONI measurements with untold's rules, import them into a study's
archive for its outlets, re-score stored measurements after the rules change,
install fingerprint files, and write untold's own results in OONI's format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from untold.api._common import StudyLike, load, open_archive, require_archive
from untold.errors import InputError

if TYPE_CHECKING:
    from untold.probe.fingerprints import Fingerprints

__all__ = [
    "OoniImportStats",
    "install_fingerprints",
    "load_fingerprints",
    "make_ooni_measurement",
    "ooni_import",
    "rescore_files",
    "rescore_study",
    "write_ooni_measurement",
]


# Verdicts written per transaction in a re-score: big enough to amortise the
# commit, small enough that a concurrent collector waits only briefly for the lock.
RESCORE_BATCH = 500


@dataclass
class OoniImportStats:
    read: int = 0
    imported: int = 0           # new measurements stored
    already: int = 0            # stored before (re-import is idempotent)
    skipped_no_outlet: int = 0  # input host is none of the study's outlets
    errors: list[str] = field(default_factory=list)
    skipped_hosts: dict[str, int] = field(default_factory=dict)


def load_fingerprints(study: StudyLike | None = None) -> Fingerprints:
    """untold's fingerprints plus those installed for the user (and the study)."""
    from untold.probe.fingerprints_store import load_all, user_data_dir

    dirs = [user_data_dir()]
    if study is not None:
        dirs.append(load(study).archive_dir)
    return load_all(dirs)


def install_fingerprints(files: Sequence[Path], *, study: StudyLike | None = None
                         ) -> list[dict[str, Any]]:
    """Validate OONI fingerprint CSVs and copy them into the user's data dir
    (or the study's archive); later verdicts use them."""
    from untold.probe.fingerprints_store import install, user_data_dir

    dest = load(study).archive_dir if study is not None else user_data_dir()
    return [{"path": str(p), "dns": d, "http": h}
            for p, d, h in install([Path(f) for f in files], dest)]


def _ooni_view(m: dict[str, Any]) -> dict[str, Any]:
    tk = m.get("test_keys")
    tk = tk if isinstance(tk, dict) else {}
    return {"blocking": tk.get("blocking"), "accessible": tk.get("accessible")}


def rescore_files(files: Sequence[Path], *, fingerprints: Fingerprints | None = None,
                  fingerprint_files: Sequence[Path] = ()
                  ) -> tuple[list[dict[str, Any]], list[InputError]]:
    """OONI's verdict and untold's for every measurement in the files.

    Rows: ``{"file", "input", "ooni": {blocking, accessible},
    "untold": {blocking, accessible, class, rule}}``. Unreadable items come
    back as errors (naming file and line) and do not stop the batch.
    ``fingerprint_files`` adds OONI-format CSVs for this call only.
    """
    from untold.probe.fingerprints import load_csv, split
    from untold.probe.ooni_read import read_file
    from untold.probe.verdicts import score

    fp = fingerprints if fingerprints is not None else load_fingerprints()
    for f in fingerprint_files:  # extra CSVs for this run only, not installed
        fp = fp + split(load_csv(Path(f)))
    rows: list[dict[str, Any]] = []
    errors: list[InputError] = []
    for f in files:
        for _where, m in read_file(f):
            if isinstance(m, InputError):
                errors.append(m)
                continue
            v = score(m, fingerprints=fp)
            rows.append({"file": str(f), "input": m.get("input"), "ooni": _ooni_view(m),
                         "untold": {"blocking": v.blocking, "accessible": v.accessible,
                                    "class": v.cls, "rule": v.rule}})
    return rows, errors


def _iso(ooni_time: Any) -> str | None:
    if not isinstance(ooni_time, str):
        return None
    try:
        dt = datetime.strptime(ooni_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None  # keep the import: the store stamps the time of import instead
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(m: dict[str, Any]) -> dict[str, Any]:
    o = _ooni_view(m)
    return {"input": m.get("input"), "probe_cc": m.get("probe_cc"),
            "probe_asn": m.get("probe_asn"), "probe_network_name": m.get("probe_network_name"),
            "report_id": m.get("report_id") or None,
            "measurement_start_time": _iso(m.get("measurement_start_time")),
            "test_version": m.get("test_version"),
            "ooni_blocking": o["blocking"], "ooni_accessible": o["accessible"]}


def ooni_import(study: StudyLike, files: Sequence[Path], *,
                progress: Callable[[OoniImportStats], None] | None = None) -> OoniImportStats:
    """Store (once) and score the files' measurements of the study's outlets."""
    from untold.probe.ooni_obs import host_of
    from untold.probe.ooni_read import read_file
    from untold.probe.verdicts import score

    st = load(study)
    fp = load_fingerprints(st)
    stats = OoniImportStats()
    store = open_archive(st)
    try:
        store.sync_outlets(st.outlets)
        for f in files:
            for _where, m in read_file(f):
                if isinstance(m, InputError):
                    stats.errors.append(str(m))
                    continue
                stats.read += 1
                host = host_of(str(m.get("input") or ""))
                outlet = st.outlet_for_host(host) if host else None
                if outlet is None:
                    stats.skipped_no_outlet += 1
                    stats.skipped_hosts[host] = stats.skipped_hosts.get(host, 0) + 1
                    continue
                source = "untold" if m.get("software_name") == "untold" else "ooni"
                mid, new = store.add_measurement(m, source=source, host=host,
                                                 outlet_id=outlet.id, summary=_summary(m))
                stats.imported += new
                stats.already += not new
                store.add_verdict(mid, score(m, fingerprints=fp))
                if progress is not None:
                    progress(stats)
    finally:
        store.close()
    return stats


def rescore_study(study: StudyLike) -> dict[str, Any]:
    """Score every stored measurement with the current rules (one verdict row per
    rules version: older verdicts are kept). Returns counts per class."""
    from untold.probe.rules import RULES_VERSION
    from untold.probe.verdicts import score

    st = load(study)
    require_archive(st, "run 'untold ooni import' first")
    fp = load_fingerprints(st)
    classes: dict[str, int] = {}
    store = open_archive(st)
    try:
        batch: list[tuple[int, Any]] = []
        # iter_measurements reads in pages, so writing between pages is safe
        for mid, m in store.iter_measurements():
            v = score(m, fingerprints=fp)
            batch.append((mid, v))
            classes[v.cls] = classes.get(v.cls, 0) + 1
            if len(batch) >= RESCORE_BATCH:
                store.add_verdicts(batch)
                batch.clear()
        store.add_verdicts(batch)
    finally:
        store.close()
    return {"rules_version": RULES_VERSION, "scored": sum(classes.values()),
            "classes": dict(sorted(classes.items()))}


def make_ooni_measurement(test_keys: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    """untold's probe result as a full OONI measurement (see ``ooni_envelope``)."""
    from untold.probe.ooni_envelope import make_measurement

    return make_measurement(test_keys, **envelope)


def write_ooni_measurement(path: Path, measurements: Sequence[dict[str, Any]]) -> int:
    """Append full measurements to a JSONL file that OONI's tools (and
    ``untold ooni rescore``) read; return how many were written."""
    from untold.probe.ooni_envelope import write_jsonl

    return write_jsonl(Path(path), list(measurements))
