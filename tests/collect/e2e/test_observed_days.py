"""Which days of each outlet the real collector observed: listing fetches and their spans.

Passes of ``untold collect`` against outlets with a simulated clock (their ``Date``
says the pass time): a feed observes from its oldest item to the pass, a sitemap its
whole archive, a home page the span of the articles it links to; a failed listing
observes nothing, and a failure on one pass costs no day a later pass covered.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.clock_site import DAY0, FEED_DAYS, ClockSite, day, study_toml
from untold import api
from untold.analyze.observed import load_coverage
from untold.config import load_study
from untold.store import open_store
from untold.timeutil import to_iso

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
WINDOW = [day(n) for n in range(1, 12)]  # days 1..11


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting there is refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def _passes(tmp: Path, site: ClockSite, plan: list[tuple[int, dict[str, int], dict[str, int]]]
            ) -> Path:
    """Collect at each (day, {host: status of its listings}, {host: refused port})."""
    path = tmp / "study.toml"
    for n, fail, refused in plan:
        site.now, site.fail = DAY0 + timedelta(days=n), fail
        path.write_text(study_toml(site.port, refused=refused), encoding="utf-8")
        api.collect(load_study(path))
    return path


def _coverage(study_path: Path) -> tuple[dict[str, frozenset[str]], list[tuple[object, ...]]]:
    st = load_study(study_path)
    store = open_store(st.db_path)
    try:
        cov = load_coverage(store, [o.id for o in st.outlets], DAY0 + timedelta(days=1),
                            DAY0 + timedelta(days=12), WINDOW, [])
        rows = store.conn.execute(  # type: ignore[attr-defined]
            "SELECT outlet_id, kind, ok, failure, listed_at, oldest FROM listing_observations "
            "ORDER BY id").fetchall()
    finally:
        store.close()
    assert cov is not None
    assert all(o.known for o in cov.outlets.values())
    return {o: d.observed for o, d in cov.outlets.items()}, rows


def test_a_transient_503_costs_no_day_a_later_pass_listed(tmp_path: Path) -> None:
    with ClockSite() as site:
        study = _passes(tmp_path, site, [(n, {"feedy.example": 503} if n == 7 else {}, {})
                                         for n in (3, 5, 7, 9, 11, 12)])
    observed, rows = _coverage(study)
    # the 503 is recorded, and observes nothing
    failed = [r for r in rows if r[0] == "feedy" and not r[2]]
    assert [(r[1], r[3]) for r in failed] == [("feed", "http_503")]
    # each listing's time is the server's Date (the pass), not the machine's clock
    feed_times = [r[4] for r in rows if r[0] == "feedy"]
    assert feed_times == [to_iso(DAY0 + timedelta(days=n)) for n in (3, 5, 7, 9, 11, 12)]
    # days 5 and 6 were listed only by the pass that failed and the one after it
    assert observed["feedy"] == frozenset(WINDOW)
    assert observed["mapped"] == frozenset(WINDOW)  # the sitemap lists every day
    assert observed["homey"] == frozenset(WINDOW)  # the home page's articles, dated


def test_days_an_outlet_refused_connections_are_not_observed(tmp_path: Path) -> None:
    dead = _closed_port()
    with ClockSite() as site:
        plan = [(n, {}, {"feedy.example": dead, "homey.example": dead} if 4 < n < 11 else {})
                for n in (3, 5, 7, 9, 11, 12)]
        study = _passes(tmp_path, site, plan)
        st = load_study(study)
        store = open_store(st.db_path)
        got = {u for (u,) in store.conn.execute(  # type: ignore[attr-defined]
            "SELECT url FROM articles WHERE outlet_id='feedy'")}
        store.close()
    observed, rows = _coverage(study)
    refused = {(r[0], r[3]) for r in rows if not r[2]}
    assert refused == {("feedy", "connection_refused"), ("homey", "connection_refused")}
    # the feed passes on days 3, 11 and 12 observe days 1-2 and 7-11 (each lists its
    # last FEED_DAYS days, from an item at 08:00): days 3 to 5 were never listed, nor
    # collected, and day 6 only from 08:00
    assert FEED_DAYS == 5
    assert sorted(observed["feedy"]) == [day(1), day(2), *(day(n) for n in range(7, 12))]
    for n in (3, 4, 5):
        assert f"http://feedy.example/news/{n}.html" not in got
    assert observed["mapped"] == frozenset(WINDOW)  # reachable all along
    # the home page lists its latest 6: the pass on day 11 reaches back to day 5
    assert sorted(observed["homey"]) == [day(1), day(2), *(day(n) for n in range(6, 12))]


def test_days_whose_listed_articles_were_not_fetched_are_not_observed(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    with ClockSite() as site:
        site.now = DAY0 + timedelta(days=12)
        # a run fetches the 3 newest listed articles of each outlet, the rest waits
        study.write_text(study_toml(site.port, max_articles=3), encoding="utf-8")
        api.collect(load_study(study))
    observed, _ = _coverage(study)
    assert sorted(observed["mapped"]) == [day(9), day(10), day(11)]  # listed: days 0-11
    assert sorted(observed["feedy"]) == [day(9), day(10), day(11)]  # listed: days 7-11


def test_an_imported_archive_has_unknown_coverage(tmp_path: Path) -> None:
    (tmp_path / "crawl").mkdir()
    with ClockSite() as site:
        crawl = _passes(tmp_path / "crawl", site, [(12, {}, {})])
    warcs = sorted((crawl.parent / "archive" / "warc").glob("*.warc.gz"))
    study = tmp_path / "imported" / "study.toml"
    study.parent.mkdir()
    study.write_text(study_toml(1), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "untold", "import", str(study), *map(str, warcs)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    st = load_study(study)
    store = open_store(st.db_path)
    try:
        assert store.count_articles() > 0
        cov = load_coverage(store, [o.id for o in st.outlets], DAY0 + timedelta(days=1),
                            DAY0 + timedelta(days=12), WINDOW, [])
    finally:
        store.close()
    # no listing fetch of its own: which days were collected is unknown, not "none"
    assert cov is not None and cov.outlets == {}
    assert cov.share(["feedy", "mapped"]) is None and cov.of("feedy").share is None
    assert "unknown" in cov.phrase("Feedy", ["feedy"])
    assert cov.detail(["feedy"])["coverage"] == "unknown"


def test_a_listing_is_dated_by_the_server_only_when_its_date_is_sane() -> None:
    from email.utils import format_datetime

    from untold.collect.listings import listing_time

    fetched = DAY0 + timedelta(days=30)

    def date(dt: datetime) -> dict[str, str]:
        return {"date": format_datetime(dt, usegmt=True)}

    made = DAY0 + timedelta(days=3)
    assert listing_time(fetched, date(made)) == made  # a cached copy, a simulated clock
    assert listing_time(fetched, {}) == fetched
    assert listing_time(fetched, {"date": "yesterday"}) == fetched
    assert listing_time(fetched, date(fetched + timedelta(hours=2))) == fetched  # clock ahead
    # a listing shows its newest item: it was made no earlier than that
    newest = DAY0 + timedelta(days=5)
    assert listing_time(fetched, date(made), newest) == newest
