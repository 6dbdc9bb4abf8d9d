"""Reachability conformance: raw measurements stored once, verdicts per rules version, and
the verdict rows the coverage and the report read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.store_rows import T0, iso, outlet
from untold.models import Verdict
from untold.store.base import Store

HOUR = timedelta(hours=1)


def _measurement(uid: str | None, host: str, at: str, **extra: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"input": f"https://{host}/", "probe_cc": "KZ", "probe_asn": "AS9198",
                         "probe_network_name": "Қазақтелеком", "measurement_start_time": at,
                         "test_keys": {"blocking": "tcp_ip", "заметка": "сброс"}, **extra}
    if uid is not None:
        m["measurement_uid"] = uid
    return m


def _summary(m: dict[str, Any], blocking: Any = None, accessible: Any = None) -> dict[str, Any]:
    return {"input": m["input"], "probe_cc": m["probe_cc"], "probe_asn": m["probe_asn"],
            "probe_network_name": m["probe_network_name"], "report_id": "r1",
            "measurement_start_time": m["measurement_start_time"], "test_version": "0.4.3",
            "ooni_blocking": blocking, "ooni_accessible": accessible}


def _verdict(cls: str, version: str = "2026.11.25", blocking: str | bool | None = "tcp_ip",
             accessible: bool | None = False) -> Verdict:
    return Verdict(rule=f"rule-{cls}", rules_version=version, blocking=blocking,
                   accessible=accessible, cls=cls, no_control=False,
                   detail={"причина": "RST", "ms": 12.5})


def _add(store: Store, uid: str | None, outlet_id: str, at: str, **kw: Any) -> tuple[int, bool]:
    m = _measurement(uid, f"{outlet_id}.example", at)
    return store.add_measurement(m, source=kw.pop("source", "ooni"), host=f"{outlet_id}.example",
                                 outlet_id=outlet_id, summary=_summary(m, **kw))


def test_a_measurement_is_stored_once(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    mid, new = _add(store, "20261006-uid-1", "a", iso(T0))
    assert new
    assert _add(store, "20261006-uid-1", "a", iso(T0)) == (mid, False)
    # without an OONI uid the raw JSON's digest identifies it
    other, new2 = _add(store, None, "a", iso(T0 + HOUR))
    assert new2 and other != mid
    assert _add(store, None, "a", iso(T0 + HOUR)) == (other, False)


def test_measurements_come_back_as_stored(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    m = _measurement("u1", "a.example", iso(T0))
    mid, _ = store.add_measurement(m, source="untold", host="a.example", outlet_id="a",
                                   summary=_summary(m), vantage="almaty-1")
    m2 = _measurement("u2", "a.example", iso(T0 + HOUR))
    mid2, _ = store.add_measurement(m2, source="ooni", host="a.example", outlet_id=None,
                                    summary=_summary(m2))
    assert list(store.iter_measurements()) == [(mid, m), (mid2, m2)]


def test_no_measurements(store: Store) -> None:
    assert list(store.iter_measurements()) == []
    assert store.reachability() == []
    assert store.reach_rows(["a"], iso(T0), iso(T0 + HOUR)) == []


def test_reachability_rows_of_the_newest_rules_version(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    late, _ = _add(store, "u-late", "a", iso(T0 + HOUR))
    early, _ = _add(store, "u-early", "b", iso(T0), blocking="dns", accessible=False)
    store.add_verdict(late, _verdict("tcp_reset", "2026.11.25"))
    store.add_verdict(late, _verdict("tcp_reset_old", "2026.10.01"))
    assert store.add_verdicts([(early, _verdict("ok", "2026.11.25", False, True))]) == 1
    rows = store.reachability()
    assert rows == [
        {"outlet_id": "b", "host": "b.example", "input": "https://b.example/", "source": "ooni",
         "probe_cc": "KZ", "probe_asn": "AS9198", "network": "Қазақтелеком", "vantage": "r1",
         "measured_at": iso(T0), "class": "ok", "blocking": False, "accessible": True,
         "rule": "rule-ok", "rules_version": "2026.11.25", "no_control": False,
         "ooni_blocking": "dns", "ooni_accessible": False},
        {"outlet_id": "a", "host": "a.example", "input": "https://a.example/", "source": "ooni",
         "probe_cc": "KZ", "probe_asn": "AS9198", "network": "Қазақтелеком", "vantage": "r1",
         "measured_at": iso(T0 + HOUR), "class": "tcp_reset", "blocking": "tcp_ip",
         "accessible": False, "rule": "rule-tcp_reset", "rules_version": "2026.11.25",
         "no_control": False, "ooni_blocking": None, "ooni_accessible": None},
    ]


def test_a_rescore_replaces_the_verdict_of_the_same_version(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    mid, _ = _add(store, "u1", "a", iso(T0))
    store.add_verdict(mid, _verdict("tcp_reset"))
    store.add_verdicts([(mid, _verdict("sni_filtering_drop"))])
    (row,) = store.reachability()
    assert row["class"] == "sni_filtering_drop"
    assert store.add_verdicts([]) == 0


def test_a_measurement_without_a_verdict_is_not_a_row(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    _add(store, "u1", "a", iso(T0))
    assert store.reachability() == []


def test_reach_rows_by_outlet_and_window(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    for k, (oid, hours) in enumerate([("a", 0), ("a", 2), ("b", 1), ("a", 5)]):
        mid, _ = _add(store, f"u{k}", oid, iso(T0 + hours * HOUR))
        store.add_verdict(mid, _verdict("ok", blocking=False, accessible=True))
    got = store.reach_rows(["a", "b"], iso(T0), iso(T0 + 5 * HOUR))  # end excluded
    assert [(r["outlet_id"], r["measured_at"]) for r in got] == [
        ("a", iso(T0)), ("b", iso(T0 + HOUR)), ("a", iso(T0 + 2 * HOUR))]
    assert [r["measured_at"] for r in store.reach_rows(["b"], iso(T0), iso(T0 + 9 * HOUR))] == [
        iso(T0 + HOUR)]
    assert store.reach_rows([], iso(T0), iso(T0 + 9 * HOUR)) == []
