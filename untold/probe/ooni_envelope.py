"""untold's own probe results in OONI's base data format (df-000).

The probe (``untold.probe``) produces Web Connectivity ``test_keys``; this
module wraps them in the envelope OONI's tools read, so a measurement made by
untold can be published, re-scored, or compared with OONI's own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from untold.timeutil import now_utc

__all__ = ["OONI_TIME", "make_measurement", "ooni_time", "write_jsonl"]

OONI_TIME = "%Y-%m-%d %H:%M:%S"  # OONI's UTC timestamps have no "T" and no zone
DATA_FORMAT_VERSION = "0.2.0"
# The Web Connectivity spec version whose test_keys shape untold writes
# (queries, tcp_connect, tls_handshakes, requests, control, blocking, accessible).
TEST_VERSION = "0.4.3"


def untold_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("untold")
    except PackageNotFoundError:
        return "0+unknown"  # running from a source tree that was never installed


def ooni_time(dt: datetime) -> str:
    """OONI's timestamp; a naive datetime is taken to be UTC already."""
    return (dt if dt.tzinfo is None else dt.astimezone(UTC)).strftime(OONI_TIME)


def make_measurement(test_keys: dict[str, Any], *, input: str, probe_cc: str = "ZZ",
                     probe_asn: str = "AS0", probe_network_name: str | None = None,
                     start: datetime | None = None, runtime_s: float = 0.0,
                     resolver_ip: str | None = None, test_helper: str | None = None,
                     annotations: dict[str, str] | None = None,
                     test_version: str = TEST_VERSION,
                     measurement_uid: str | None = None) -> dict[str, Any]:
    """A full measurement around ``test_keys``; the probe's IP is never recorded.

    ``measurement_uid`` makes re-imports of the same result idempotent (the
    archive otherwise keys a measurement on the hash of its JSON)."""
    start = start or now_utc()
    untold_v = untold_version()
    ann = {"engine_name": "untold", "engine_version": untold_v,
           "platform": "linux", **(annotations or {})}
    asn = probe_asn if probe_asn.startswith("AS") else f"AS{probe_asn}"
    m: dict[str, Any] = {
        "annotations": ann,
        "data_format_version": DATA_FORMAT_VERSION,
        "input": input,
        "measurement_start_time": ooni_time(start),
        "probe_asn": asn,
        "probe_cc": probe_cc.upper(),
        "probe_ip": "127.0.0.1",  # OONI's convention for a scrubbed address
        "probe_network_name": probe_network_name,
        "report_id": "",
        "resolver_asn": None,
        "resolver_ip": resolver_ip,
        "resolver_network_name": None,
        "software_name": "untold",
        "software_version": untold_v,
        "test_helpers": {"backend": {"address": test_helper, "type": "https"}}
        if test_helper else {},
        "test_keys": test_keys,
        "test_name": "web_connectivity",
        "test_runtime": round(runtime_s, 6),
        "test_start_time": ooni_time(start),
        "test_version": test_version,
    }
    if measurement_uid:
        m["measurement_uid"] = measurement_uid
    return m


def write_jsonl(path: Path, measurements: list[dict[str, Any]]) -> int:
    """Append measurements to a JSONL file (OONI's own archive layout); return count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for m in measurements:
            fh.write(json.dumps(m, ensure_ascii=False, sort_keys=True) + "\n")
    return len(measurements)
