"""`untold ooni rescore` / `import` through the real CLI and a real SQLite archive."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from untold import api
from untold.probe import rules

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
EXE = str(REPO / ".venv" / "bin" / "untold")
OONI = REPO.parent / "shared" / "data" / "ooni"
Mk = Callable[..., dict[str, Any]]

STUDY = """\
[study]
name = "t"
archive = "archive"

[[outlets]]
id = "news"
name = "News"
domains = ["news.example"]
country = "KZ"

[[outlets]]
id = "fb"
name = "Facebook"
domains = ["facebook.com"]
country = "US"
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # no user-installed fingerprints: the verdicts must not depend on this machine
    env = {**os.environ, "UNTOLD_DATA_DIR": str(REPO / "tests" / "probe" / "ooni" / "no-such-dir")}
    return subprocess.run([EXE, "ooni", *args], capture_output=True, text=True, timeout=120,
                          check=False, env=env)


def _check_shape(rows: Any) -> None:
    assert isinstance(rows, list) and rows
    for r in rows:
        assert set(r) == {"file", "input", "ooni", "untold"}
        assert set(r["ooni"]) == {"blocking", "accessible"}
        assert set(r["untold"]) == {"blocking", "accessible", "class", "rule"}


@pytest.mark.timeout(120)
def test_rescore_json_shape(tmp_path: Path, mk: Mk) -> None:
    m = mk("http://news.example/")
    m["test_keys"]["blocking"], m["test_keys"]["accessible"] = False, True
    p = tmp_path / "m.jsonl"
    p.write_text(json.dumps(m) + "\nnull\n")
    r = _run("rescore", str(p), "--format", "json")
    assert r.returncode == 1  # one bad line: reported, the rest still printed
    assert f"{p}:2" in r.stderr
    rows = json.loads(r.stdout)
    _check_shape(rows)
    assert rows == [{"file": str(p), "input": "http://news.example/",
                     "ooni": {"blocking": False, "accessible": True},
                     "untold": {"blocking": False, "accessible": True,
                                "class": "accessible", "rule": "http.accessible"}}]
    t = _run("rescore", str(p), "--format", "table")
    assert "http.accessible" in t.stdout
    bad = _run("rescore", str(p), "--format", "xml")
    assert bad.returncode == 2 and "unknown format" in bad.stderr


@pytest.mark.timeout(120)
def test_rescore_shared_files(tmp_path: Path) -> None:
    if not OONI.is_dir():
        pytest.skip("../shared/data/ooni not found: OONI's sample measurements are absent")
    files = sorted(str(p) for p in OONI.glob("real/*.json"))
    fps = [str(OONI / "fingerprints" / n) for n in ("fingerprints_dns.csv",
                                                     "fingerprints_http.csv")]
    r = _run("rescore", *files, "--format", "json", "--fingerprints", fps[0],
             "--fingerprints", fps[1])
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    _check_shape(rows)
    assert len(rows) == len(files)
    by_file = {Path(x["file"]).name: x["untold"] for x in rows}
    assert by_file["web_connectivity_b64_hdr.json"]["class"] == "http_blockpage"
    assert by_file["bug_352.json"]["rule"] == "dns.blockpage"


def _study(tmp_path: Path) -> Path:
    p = tmp_path / "study.toml"
    p.write_text(STUDY, encoding="utf-8")
    return p


def _counts(study: Path) -> tuple[int, int]:
    db = sqlite3.connect(study.parent / "archive" / "archive.sqlite")
    try:
        return (db.execute("SELECT COUNT(*) FROM measurements").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])
    finally:
        db.close()


@pytest.mark.timeout(120)
def test_import_is_idempotent_and_rescore_adds_versions(
        tmp_path: Path, mk: Mk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNTOLD_DATA_DIR", str(tmp_path / "data"))
    study = _study(tmp_path)
    blocked = mk("https://www.facebook.com/")
    blocked["test_keys"]["queries"][0]["answers"] = [{"answer_type": "A", "ipv4": "10.10.34.36"}]
    ok = mk("http://news.example/")
    other = mk("http://unrelated.example/")
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in (blocked, ok, other)) + "\n{oops\n")
    st = api.ooni_import(study, [f])
    assert (st.read, st.imported, st.already, st.skipped_no_outlet) == (3, 2, 0, 1)
    assert st.skipped_hosts == {"unrelated.example": 1}
    assert len(st.errors) == 1 and f"{f}:4" in st.errors[0]
    assert _counts(study) == (2, 2)
    st2 = api.ooni_import(study, [f])
    assert (st2.imported, st2.already) == (0, 2)
    assert _counts(study) == (2, 2)

    store = api.open_archive(study, readonly=True)
    try:
        reach = {r["outlet_id"]: r for r in store.reachability()}  # type: ignore[attr-defined]
    finally:
        store.close()
    assert reach["fb"]["class"] == "dns_blockpage" and reach["fb"]["blocking"] == "dns"
    assert reach["fb"]["probe_cc"] == "KZ" and reach["fb"]["measured_at"] == "2026-11-01T10:00:00Z"
    assert reach["news"]["class"] == "accessible" and reach["news"]["accessible"] is True

    res = api.rescore_study(study)
    assert res["scored"] == 2 and _counts(study) == (2, 2)  # same rules: replaced, not added
    monkeypatch.setattr(rules, "RULES_VERSION", "9999.01.01")
    res = api.rescore_study(study)
    assert res["rules_version"] == "9999.01.01"
    assert _counts(study) == (2, 4)  # one verdict row per rules version


@pytest.mark.timeout(120)
def test_cli_import_and_study_rescore(tmp_path: Path, mk: Mk) -> None:
    study = _study(tmp_path)
    f = tmp_path / "m.json"
    f.write_text(json.dumps(mk("http://news.example/a"), indent=2))
    r = _run("import", str(study), str(f))
    assert r.returncode == 0, r.stderr
    assert "imported 1" in r.stdout
    r = _run("rescore", str(study), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["classes"] == {"accessible": 1}


def test_own_measurements_round_trip(tmp_path: Path, mk: Mk) -> None:
    tk = mk("http://news.example/")["test_keys"]
    m = api.make_ooni_measurement(tk, input="http://news.example/", probe_cc="kz",
                                  probe_asn="9198", annotations={"vantage": "almaty-1"})
    assert (m["software_name"], m["test_name"], m["probe_cc"], m["probe_asn"]) == \
        ("untold", "web_connectivity", "KZ", "AS9198")
    assert m["annotations"]["vantage"] == "almaty-1" and m["probe_ip"] == "127.0.0.1"
    assert len(m["measurement_start_time"]) == 19 and "T" not in m["measurement_start_time"]
    out = tmp_path / "own.jsonl"
    assert api.write_ooni_measurement(out, [m, m]) == 2
    rows, errors = api.rescore_files([out])
    assert not errors and [r["untold"]["class"] for r in rows] == ["accessible"] * 2
