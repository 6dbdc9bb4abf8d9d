"""The example's synthetic OONI data: OONI's shape, untold's verdicts per planned period,
an idempotent import into the example study, and the example's block-page fingerprint."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from untold import api
from untold.demo import scenario as sc
from untold.demo.generator import generate
from untold.demo.ooni import (
    FINGERPRINT_NAME,
    OONI_FILE,
    example_fingerprints_csv,
    ooni_measurements,
    write_ooni_file,
)
from untold.demo.study import build_example
from untold.probe.fingerprints import load_csv, split
from untold.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
DOC_NET = ipaddress.ip_network("198.51.100.0/24")  # RFC 5737: data only
# OONI's own (blocking, accessible) and untold's class for each planned state
EXPECT = {None: ((False, True), "accessible"),
          "tls_reset": (("http-failure", False), "sni_filtering_reset"),
          "outage": ((False, False), "site_down")}


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No fingerprints the user installed take part."""
    monkeypatch.setenv("UNTOLD_DATA_DIR", str(tmp_path / "user-data"))


def _when(m: dict[str, Any]) -> datetime:
    return datetime.strptime(m["measurement_start_time"], "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=UTC)


def _plan_of(url: str) -> sc.OoniPlan:
    outlet = next(o for o in sc.OUTLETS if o.base + "/" == url)
    return next(p for p in sc.OONI_PLAN if p.outlet_id == outlet.id)


def _planned(url: str, at: datetime) -> str | None:
    """The plan's kind at ``at`` (None: reachable), read from the scenario alone."""
    p = _plan_of(url)
    if p.kind and p.block_since and p.block_until and p.block_since <= at < p.block_until:
        return p.kind
    return None


def test_one_measurement_per_planned_day_in_oonis_shape() -> None:
    ms = ooni_measurements()
    for p in sc.OONI_PLAN:
        o = next(x for x in sc.OUTLETS if x.id == p.outlet_id)
        days = (p.last.date() - p.first.date()).days + 1
        mine = [m for m in ms if m["input"] == o.base + "/"]
        assert len(mine) == days
        assert sorted(_when(m).date() for m in mine) == [
            p.first.date() + timedelta(days=i) for i in range(days)]
        assert {_when(m).hour for m in mine} == {p.hour}
    assert len(ms) == 33  # eurasia 20, ordo 9, silkroad 4
    assert len({m["measurement_uid"] for m in ms}) == len(ms)
    for m in ms:
        assert (m["test_name"], m["test_version"]) == ("web_connectivity", "0.4.3")
        assert m["software_name"].startswith("ooniprobe")
        assert (m["probe_cc"], m["probe_asn"], m["probe_network_name"]) == (
            sc.OONI_NETWORK.cc, sc.OONI_NETWORK.asn, sc.OONI_NETWORK.name)
        assert m["report_id"].startswith(f"{m['test_start_time'].replace('-', '')[:8]}T")
        tk = m["test_keys"]
        assert {"queries", "tcp_connect", "requests", "control", "blocking",
                "accessible"} <= set(tk)
        https = m["input"].startswith("https://")
        kind = _planned(m["input"], _when(m))
        assert (tk["tls_handshakes"] is not None) == (https and kind != "outage")
        addrs = [a["ipv4"] for q in tk["queries"] for a in q["answers"]]
        addrs += [t["ip"] for t in tk["tcp_connect"]] + tk["control"]["dns"]["addrs"]
        assert addrs and all(ipaddress.ip_address(a) in DOC_NET for a in addrs)


def test_the_data_is_deterministic(tmp_path: Path) -> None:
    assert ooni_measurements() == ooni_measurements()
    a = write_ooni_file(tmp_path / "a")
    b = write_ooni_file(tmp_path / "b")
    assert a.name == OONI_FILE and a.read_bytes() == b.read_bytes()
    assert len(a.read_text(encoding="utf-8").splitlines()) == 33


def test_untolds_rules_give_the_planned_class_and_ooni_its_own(tmp_path: Path) -> None:
    path = write_ooni_file(tmp_path)
    rows, errors = api.rescore_files([path])
    assert errors == [] and len(rows) == 33
    ms = ooni_measurements()
    seen: dict[tuple[str, str | None], int] = {}
    for row, m in zip(rows, ms, strict=True):
        assert row["input"] == m["input"]
        kind = _planned(m["input"], _when(m))
        (ooni, cls) = EXPECT[kind]
        assert (row["ooni"]["blocking"], row["ooni"]["accessible"]) == ooni, m
        assert row["untold"]["class"] == cls, (m["measurement_start_time"], row)
        # untold agrees with OONI on blocking and access for every one of them
        assert (row["untold"]["blocking"], row["untold"]["accessible"]) == ooni
        seen[(m["input"], kind)] = seen.get((m["input"], kind), 0) + 1
    assert seen == {("https://eurasia.example/", None): 8,
                    ("https://eurasia.example/", "tls_reset"): 12,
                    ("http://ordo.example/", None): 9,
                    ("http://silkroad.example/", None): 3,
                    ("http://silkroad.example/", "outage"): 1}


def test_without_patterns_every_outlet_is_reachable() -> None:
    eco = generate(patterns=False, scale=0.05)
    ms = ooni_measurements(eco)
    assert len(ms) == 33
    assert {(m["test_keys"]["blocking"], m["test_keys"]["accessible"]) for m in ms} == {
        (False, True)}


def test_import_into_the_example_study_links_outlets_once(tmp_path: Path) -> None:
    built = build_example(tmp_path / "example", eco=generate(scale=0.05))
    study = built["study"]
    path = write_ooni_file(tmp_path)
    stats = api.ooni_import(study, [path])
    assert (stats.read, stats.imported, stats.already, stats.skipped_no_outlet) == (
        33, 33, 0, 0)
    assert stats.errors == []
    store = open_store(api.load(study).db_path, readonly=True)
    try:
        reach = store.reachability()  # type: ignore[attr-defined]
    finally:
        store.close()
    assert len(reach) == 33
    by_time = {(r["outlet_id"], r["measured_at"]): r for r in reach}
    for m in ooni_measurements():
        plan = _plan_of(m["input"])
        r = by_time[(plan.outlet_id, _when(m).strftime("%Y-%m-%dT%H:%M:%SZ"))]
        kind = _planned(m["input"], _when(m))
        (ooni, cls) = EXPECT[kind]
        assert (r["source"], r["probe_cc"], r["probe_asn"], r["network"]) == (
            "ooni", sc.OONI_NETWORK.cc, sc.OONI_NETWORK.asn, sc.OONI_NETWORK.name)
        assert (r["ooni_blocking"], r["ooni_accessible"]) == ooni
        assert r["class"] == cls
    again = api.ooni_import(study, [path])
    assert (again.imported, again.already) == (0, 33)
    store = open_store(api.load(study).db_path, readonly=True)
    try:
        assert len(store.reachability()) == 33  # type: ignore[attr-defined]
    finally:
        store.close()


def test_example_fingerprint_loads_and_matches_the_block_page(tmp_path: Path) -> None:
    f = tmp_path / "example_fingerprints.csv"
    f.write_text(example_fingerprints_csv(), encoding="utf-8")
    [fp] = load_csv(f)
    assert (fp.name, fp.location, fp.pattern, fp.countries, fp.false_positive) == (
        FINGERPRINT_NAME, "body", sc.BLOCK_PAGE_MARK, (sc.PROBE_NETWORK.cc,), False)
    fps = split([fp])
    page = f"<html><body>See <a href='https://{sc.BLOCK_PAGE_MARK}/'>the registry</a></body>"
    assert fps.match_http(page, {}) == fp
    assert fps.match_http("<html><body>Ordinary news</body></html>", {}) is None
    from untold.demo.censor import BLOCK_PAGE_HTML  # the block page the demo's censor serves

    assert fps.match_http(BLOCK_PAGE_HTML, {}) == fp
    # the example's home pages never carry it (no false block page in the OONI data)
    assert all(fps.match_http(r["response"]["body"], {}) is None
               for m in ooni_measurements() for r in m["test_keys"]["requests"]
               if r["response"]["body"])
    # and it installs like any OONI file (validated, then copied)
    [info] = api.install_fingerprints([f])
    assert (info["dns"], info["http"]) == (0, 1)
