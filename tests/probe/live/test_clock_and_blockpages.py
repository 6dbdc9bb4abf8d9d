"""The probe's clock seam, the study's fingerprints in its verdicts, and a DNS answer
that leads to a block page, against the loopback lab (see conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.probe_lab import BLOCK_MARK, Net
from untold import api
from untold.errors import ProbeError
from untold.probe.control_guard import HelperPolicy
from untold.probe.control_server import HelperServer, start_helper
from untold.probe.fingerprints import Fingerprints, parse_csv, split
from untold.probe.runner import run_probe
from untold.probe.verdicts import score
from untold.store import open_store

pytestmark = pytest.mark.timeout(60)
TOKEN = "test-token-0123456789abcdef"  # the helper's shared secret in these tests
LAB_CSV = ("name,scope,other_names,location_found,pattern_type,pattern,confidence_no_fp,"
           "expected_countries,source,exp_url,notes\n"
           f"lab.registry,nat,,body,contains,{BLOCK_MARK},9,KG,test,,the lab censor's page\n")
BLOCKED = "http://dnsblock.test/"
AT = datetime(2026, 10, 9, 6, 0, tzinfo=UTC)  # the simulated network's time


@pytest.fixture(scope="module")
def helper(net: Net) -> Iterator[HelperServer]:
    # the control sees the honest resolver: dnsblock.test is the real site there
    opts = net.opts(system_resolver=net.second_dns, resolver=None)
    with start_helper("127.0.0.1:0", opts, token=TOKEN,
                      policy=HelperPolicy(allow_private=True)).start() as srv:
        yield srv


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data dir (installed fingerprints), fresh for each test."""
    d = tmp_path / "data"
    monkeypatch.setenv("UNTOLD_DATA_DIR", str(d))
    return d


def _study(tmp_path: Path, name: str = "study") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[study]\nname = "{name}"\n\n[[outlets]]\nid = "blocked"\n'
                    'name = "Blocked"\ndomains = ["dnsblock.test"]\n', encoding="utf-8")
    return path


def _csv(tmp_path: Path) -> Path:
    f = tmp_path / "lab_fingerprints.csv"
    f.write_text(LAB_CSV, encoding="utf-8")
    return f


def test_clock_gives_every_recorded_time(net: Net) -> None:
    ticks: list[datetime] = []

    def clock() -> datetime:  # a simulated clock that steps a second per reading
        ticks.append(AT + timedelta(seconds=len(ticks)))
        return ticks[-1]

    ms = run_probe(["https://news.test/", "http://other.test/"], net.opts(), clock=clock)
    assert len(ticks) == 3  # the run's start, then one per measurement
    assert {m["test_start_time"] for m in ms} == {"2026-10-09 06:00:00"}
    assert {m["measurement_start_time"] for m in ms} == {"2026-10-09 06:00:01",
                                                         "2026-10-09 06:00:02"}
    assert ms[0]["report_id"] == ms[1]["report_id"]
    assert ms[0]["report_id"].startswith("20261009T060000Z_untold_")
    for m in ms:  # durations stay the machine's own: short, positive, ordered
        assert 0 < m["test_runtime"] < 30
        for r in m["test_keys"]["requests"]:
            assert 0 <= r["t0"] <= r["t"] < 30


def test_clock_in_another_zone_is_recorded_in_utc(net: Net) -> None:
    almaty = timezone(timedelta(hours=5))
    [m] = run_probe(["http://news.test/"], net.opts(),
                    clock=lambda: datetime(2026, 10, 9, 11, 0, tzinfo=almaty))
    assert m["measurement_start_time"] == "2026-10-09 06:00:00"


def test_clock_without_zone_is_refused_before_any_traffic(net: Net) -> None:
    before = net.dns.queries["other.test"]
    with pytest.raises(ProbeError, match="without a zone"):
        run_probe(["http://other.test/"], net.opts(), clock=lambda: datetime(2026, 10, 9))
    assert net.dns.queries["other.test"] == before


def test_study_probe_records_the_clocks_time(net: Net, tmp_path: Path, config_dir: Path,
                                             data_dir: Path) -> None:
    study = _study(tmp_path)
    [row] = api.probe(study, [BLOCKED], options=net.opts(), i_understand=True,
                      clock=lambda: AT)
    assert row["measurement"]["measurement_start_time"] == "2026-10-09 06:00:00"
    store = open_store(api.load(study).db_path, readonly=True)
    try:
        [r] = store.reachability()  # type: ignore[attr-defined]
    finally:
        store.close()
    assert (r["outlet_id"], r["measured_at"]) == ("blocked", "2026-10-09T06:00:00Z")


def test_probe_scores_with_the_studys_and_the_users_fingerprints(
        net: Net, tmp_path: Path, config_dir: Path, data_dir: Path) -> None:
    study, other = _study(tmp_path), _study(tmp_path, "other")

    def verdict(st: Path) -> tuple[str, str]:
        [row] = api.probe(st, [BLOCKED], options=net.opts(), i_understand=True)
        return row["verdict"].cls, row["verdict"].rule

    # no control and a page no fingerprint knows: nothing can be said
    assert verdict(study)[0] == "control_failed"
    api.install_fingerprints([_csv(tmp_path)], study=study)
    assert verdict(study) == ("http_blockpage", "http.blockpage")
    assert verdict(other)[0] == "control_failed"  # installed for that study only
    api.install_fingerprints([_csv(tmp_path)])  # for the user: every study
    assert verdict(other) == ("http_blockpage", "http.blockpage")
    assert (data_dir / "fingerprints" / "lab_fingerprints.csv").is_file()


def test_dns_answer_to_a_block_page_is_dns_blocking(net: Net, helper: HelperServer) -> None:
    [m] = run_probe([BLOCKED], net.opts(control=helper.url, control_token=TOKEN))
    tk = m["test_keys"]
    assert tk["control"]["dns"]["addrs"] == ["127.0.0.1"]  # the control sees the real site
    assert BLOCK_MARK in tk["requests"][0]["response"]["body"]
    fp = Fingerprints.builtin() + split(parse_csv(LAB_CSV, source="lab"))
    v = score(m, fingerprints=fp)
    assert (v.rule, v.cls, v.blocking, v.accessible) == (
        "dns.inconsistent_blockpage", "dns_blockpage", "dns", False)
    assert v.detail["answers"] == ["127.0.0.6"] and v.detail["control_addrs"] == ["127.0.0.1"]
    assert v.detail["fingerprint"] == "lab.registry"
    # an unknown page at a loopback answer: the answer is the evidence, not the page
    v = score(m)
    assert (v.rule, v.cls) == ("dns.bogon", "dns_bogon")


def test_the_real_site_through_the_same_lab_is_accessible(net: Net,
                                                          helper: HelperServer) -> None:
    """The lab's censor touches only dnsblock.test: news.test stays accessible."""
    [m] = run_probe(["http://news.test/"], net.opts(control=helper.url, control_token=TOKEN))
    fp = Fingerprints.builtin() + split(parse_csv(LAB_CSV, source="lab"))
    assert score(m, fingerprints=fp).cls == "accessible"


def test_study_probe_with_control_stores_the_dns_block_page(
        net: Net, helper: HelperServer, tmp_path: Path, config_dir: Path,
        data_dir: Path) -> None:
    study = _study(tmp_path)
    api.install_fingerprints([_csv(tmp_path)], study=study)
    [row] = api.probe(study, [BLOCKED], i_understand=True, clock=lambda: AT,
                      options=net.opts(control=helper.url, control_token=TOKEN))
    assert row["verdict"].cls == "dns_blockpage"
    store = open_store(api.load(study).db_path, readonly=True)
    try:
        [r] = store.reachability()  # type: ignore[attr-defined]
    finally:
        store.close()
    assert (r["class"], r["blocking"], r["rule"]) == ("dns_blockpage", "dns",
                                                      "dns.inconsistent_blockpage")
