"""Informed consent, and ``untold probe`` / ``untold helper`` as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.probe_lab import Net
from untold import api
from untold.errors import ConfigError, ProbeError
from untold.probe import consent
from untold.store import open_store

pytestmark = pytest.mark.timeout(90)
REPO = Path(__file__).resolve().parents[3]


def test_no_terminal_and_no_flag_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="--i-understand"):
        consent.ensure_consent(tmp_path / "c.json", ask=None)
    assert not (tmp_path / "c.json").exists()


def test_declining_records_nothing_and_probes_nothing(tmp_path: Path) -> None:
    shown: list[str] = []

    def no(notice: str) -> bool:
        shown.append(notice)
        return False

    with pytest.raises(ProbeError, match="not accepted"):
        consent.ensure_consent(tmp_path / "c.json", ask=no)
    assert "network observer" in shown[0] and "stored" in shown[0] and "shared" in shown[0]
    assert not (tmp_path / "c.json").exists()


def test_acceptance_is_recorded_once_and_a_new_notice_asks_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []

    def yes(notice: str) -> bool:
        asked.append(1)
        return True

    path = tmp_path / "c.json"
    rec = consent.ensure_consent(path, ask=yes)
    assert rec["how"] == "prompt" and rec["version"] == consent.CONSENT_VERSION
    consent.ensure_consent(path, ask=yes)
    assert len(asked) == 1
    monkeypatch.setattr(consent, "CONSENT_VERSION", consent.CONSENT_VERSION + 1)
    consent.ensure_consent(path, ask=yes)
    assert len(asked) == 2


def test_flag_records_consent_without_asking(tmp_path: Path) -> None:
    rec = consent.ensure_consent(tmp_path / "c.json", i_understand=True, ask=None)
    assert rec["how"] == "flag"
    assert json.loads((tmp_path / "c.json").read_text())["how"] == "flag"


def test_corrupt_record_is_named(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text("{not json")
    with pytest.raises(ProbeError, match=r"c\.json"):
        consent.ensure_consent(tmp_path / "c.json", i_understand=True)


def _cli(args: list[str], cfg: Path, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNTOLD_CONFIG_DIR": str(cfg), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "untold", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          **kw)


def _net_args(net: Net) -> list[str]:
    return ["--system-resolver", net.system_dns, "--resolver", net.second_dns,
            "--port", f"http={net.http_port}", "--port", f"https={net.https_port}",
            "--cafile", str(net.certs.ca_file), "--timeout", "1"]


@pytest.mark.slow
def test_cli_without_consent_stops_before_any_traffic(net: Net, config_dir: Path) -> None:
    before = net.dns.queries["other.test"]
    r = _cli(["probe", "https://other.test/", *_net_args(net)], config_dir)
    assert r.returncode == 1  # a ProbeError: a failure (exit 1), not a malformed command line
    assert "consent" in r.stderr and "--i-understand" in r.stderr
    assert net.dns.queries["other.test"] == before


@pytest.mark.slow
def test_cli_json_with_flag(net: Net, config_dir: Path) -> None:
    r = _cli(["probe", "https://news.test/", "https://closed.test/", *_net_args(net),
              "--i-understand", "--format", "json"], config_dir)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["url"] for x in rows] == ["https://news.test/", "https://closed.test/"]
    for x in rows:
        assert set(x["verdict"]) >= {"rule", "rules_version", "blocking", "accessible", "cls",
                                     "no_control"}
        assert x["verdict"]["no_control"] is True  # no --control was given
        assert x["measurement"]["test_name"] == "web_connectivity"
    assert rows[0]["measurement"]["test_keys"]["requests"][0]["response"]["code"] == 200
    assert (config_dir / consent.CONSENT_FILE).is_file()


@pytest.mark.slow
def test_cli_notice_and_bad_option(config_dir: Path) -> None:
    r = _cli(["probe", "--notice"], config_dir)
    assert r.returncode == 0 and "What is sent" in r.stdout
    r = _cli(["probe", "https://x.test/", "--port", "gopher=70", "--i-understand"], config_dir)
    assert r.returncode == 2 and "--port" in r.stderr


def test_study_probe_stores_measurements_and_verdicts(net: Net, tmp_path: Path,
                                                      config_dir: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text('[study]\nname = "t"\n\n[[outlets]]\nid = "news"\nname = "News"\n'
                     'domains = ["news.test"]\n\n[[outlets]]\nid = "gone"\nname = "Gone"\n'
                     'domains = ["closed.test"]\n', encoding="utf-8")
    rows = api.probe(study, options=net.opts(), i_understand=True)
    assert [(r["url"], r["outlet"]) for r in rows] == [("https://news.test/", "news"),
                                                       ("https://closed.test/", "gone")]
    st = api.load(study)
    assert (st.archive_dir / consent.CONSENT_FILE).is_file()
    assert not (config_dir / consent.CONSENT_FILE).exists()
    store = open_store(st.db_path, readonly=True)
    try:
        reach = store.reachability()  # type: ignore[attr-defined]
    finally:
        store.close()
    assert sorted((r["outlet_id"], r["source"]) for r in reach) == [("gone", "untold"),
                                                                   ("news", "untold")]
    assert all(r["class"] for r in reach)


@pytest.mark.slow
def test_helper_command_runs_and_stops(tmp_path: Path, config_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "UNTOLD_HELPER_TOKEN"}
    env["UNTOLD_CONFIG_DIR"] = str(config_dir)
    p = subprocess.Popen([sys.executable, "-m", "untold", "helper", "--listen", "127.0.0.1:0"],
                         cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stderr is not None
        line = p.stderr.readline()
        while line and "listening" not in line:  # the token lines come first
            line = p.stderr.readline()
        assert "listening on http://127.0.0.1:" in line
        import httpx

        url = line.strip().rsplit(" ", 1)[1]
        assert httpx.get(url, timeout=5).json()["service"] == "untold helper"
    finally:
        p.terminate()
        p.wait(10)


def test_study_targets_are_home_pages_and_a_sample_of_stored_articles(tmp_path: Path) -> None:
    import hashlib
    from datetime import UTC, datetime

    from untold.models import CaptureRecord, ExtractedArticle
    from untold.store import NewArticle

    study = tmp_path / "study.toml"
    study.write_text('[[outlets]]\nid = "news"\nname = "News"\ndomains = ["news.test"]\n\n'
                     '[[outlets]]\nid = "empty"\nname = "Empty"\ndomains = ["other.test"]\n',
                     encoding="utf-8")
    st = api.load(study)
    t0 = datetime(2026, 10, 6, tzinfo=UTC)
    store = open_store(st.db_path)
    try:
        store.sync_outlets(st.outlets)
        for i in range(10):
            url = f"https://news.test/a/{i}"
            cid = store.add_capture(CaptureRecord(
                url=url, outlet_id="news", kind="article", fetched_at=t0, status=200,
                failure=None, warc_file="x.warc.gz", warc_offset=0, warc_length=1, sha256="0"))
            text = f"article number {i}"
            store.add_articles([NewArticle(ExtractedArticle(
                url=url, canonical_url=url, title="t", text=text, author=None, published=t0,
                language="en", language_confidence=0.9,
                text_hash=hashlib.sha256(text.encode()).hexdigest()), "news", cid, t0, "0")])
    finally:
        store.close()
    targets = api.probe_targets(study, articles_per_outlet=3, seed=1)
    assert targets[0] == ("https://news.test/", "news")
    picked = [u for u, o in targets[1:] if o == "news"]
    assert len(picked) == 3 and all(u.startswith("https://news.test/a/") for u in picked)
    assert ("https://other.test/", "empty") in targets and len(targets) == 5
    assert api.probe_targets(study, outlets=["empty"]) == [("https://other.test/", "empty")]
    with pytest.raises(ConfigError, match="nope"):  # one class for an unknown outlet (issue 11)
        api.probe_targets(study, outlets=["nope"])


@pytest.mark.parametrize(("answer", "code"), [("y", 0), ("n", 1)])
@pytest.mark.slow
def test_terminal_user_reads_the_notice_and_answers(config_dir: Path, answer: str,
                                                    code: int) -> None:
    """With a terminal, the notice is shown and the answer decides (a real pty)."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "UNTOLD_CONFIG_DIR": str(config_dir)}
    p = subprocess.Popen([sys.executable, "-m", "untold", "probe", "http://127.0.0.1:1/",
                          "--timeout", "1", "--format", "json"], cwd=REPO, env=env,
                         stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    os.close(follower)
    os.write(leader, f"{answer}\n".encode())
    out, errtext = p.communicate(timeout=60)
    os.close(leader)
    assert p.returncode == code, errtext
    assert "What a network observer" in errtext and "Accept and probe?" in errtext
    record = config_dir / consent.CONSENT_FILE
    if answer == "y":
        assert json.loads(record.read_text())["how"] == "prompt"
        assert json.loads(out)[0]["url"] == "http://127.0.0.1:1/"
    else:
        assert not record.exists() and "not accepted" in errtext
