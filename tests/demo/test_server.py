"""The example server: feeds, sitemaps, articles, 304s and the clock, over real HTTP;
the censor's TLS reset by the Client Hello's name (the network's other parts are in
test_censor.py)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from tests.support.tls_client import client_hello, tls_get, trusting
from untold.collect.feeds import parse_feed
from untold.collect.sitemaps import parse_sitemap
from untold.demo import scenario as sc
from untold.demo.generator import Ecosystem, generate
from untold.demo.server import DemoServer
from untold.extract import extract_page
from untold.probe.options import DEFAULT_NEUTRAL_SNI

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def eco() -> Ecosystem:
    return generate(scale=0.3)


@pytest.fixture()
def server(eco: Ecosystem) -> Iterator[DemoServer]:
    with DemoServer(eco) as s:
        yield s


@pytest.fixture()
def client(server: DemoServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as c:
        yield c


def get(c: httpx.Client, host: str, path: str, **headers: str) -> httpx.Response:
    return c.get(path, headers={"Host": host, **headers})


def test_feeds_list_recent_items_and_answer_304(server: DemoServer, client: httpx.Client) -> None:
    server.now = sc.EARLY_PASS
    for oid, path in (("dalapress", "/rss.xml"), ("ordo", "/atom.xml")):
        host = f"{oid}.example"
        r = get(client, host, path)
        assert r.status_code == 200 and r.headers["etag"] and r.headers["last-modified"]
        entries = parse_feed(r.content, source=f"http://{host}{path}", headers=dict(r.headers))
        urls = {e.url for e in entries}
        recent = {server.url(a) for a in server.live(oid)
                  if a.published >= server.now - timedelta(days=sc.FEED_DAYS)}
        assert urls and urls <= recent
        assert all(e.published and e.published <= server.now for e in entries)
        assert get(client, host, path, **{"If-None-Match": r.headers["etag"]}).status_code == 304
        assert get(client, host, path,
                   **{"If-Modified-Since": r.headers["last-modified"]}).status_code == 304
        # a new article changes the feed: the old validators no longer hold
        server.now += timedelta(days=2)
        assert get(client, host, path, **{"If-None-Match": r.headers["etag"]}).status_code == 200
        server.now = sc.EARLY_PASS
    assert get(client, "ordo.example", "/rss.xml").status_code == 404  # it has Atom only


def test_sitemaps_index_and_robots(server: DemoServer, client: httpx.Client) -> None:
    server.now = sc.EARLY_PASS
    root = get(client, "dalapress.example", "/sitemap.xml")
    index = parse_sitemap(root.content, source="http://dalapress.example/sitemap.xml")
    assert len(index.children) == 2 and not index.urls  # September and October
    urls: set[str] = set()
    for child in index.children:
        r = get(client, "dalapress.example", child.split(".example", 1)[1])
        urls |= {e.url for e in parse_sitemap(r.content, source=child).urls}
    assert urls == {server.url(a) for a in server.live("dalapress")}
    robots = get(client, "baiterek.example", "/robots.txt").text
    assert "Sitemap: http://baiterek.example/sitemap.xml" in robots
    assert "Sitemap" not in get(client, "irtysh.example", "/robots.txt").text
    home = get(client, "irtysh.example", "/").text
    assert sum(server.url(a).split(".example")[1] in home for a in server.live("irtysh")) == \
        min(sc.HOME_ITEMS, len(server.live("irtysh")))
    r = get(client, "tunduk.example", "/sitemap.xml")
    assert get(client, "tunduk.example", "/sitemap.xml",
               **{"If-None-Match": r.headers["etag"]}).status_code == 304


def test_article_metadata_extracts_and_only_published_exist(
        server: DemoServer, client: httpx.Client, eco: Ecosystem) -> None:
    a = next(a for a in eco.of_outlet("alatoo") if a.story and a.fact and a.language == "ky")
    server.now = a.published
    r = get(client, "alatoo.example", a.path)
    assert r.status_code == 200
    page = r.text
    for needle in ('<html lang="ky">', 'property="og:title"', "article:published_time",
                   "<time datetime=", 'rel="canonical"'):
        assert needle in page
    res = extract_page(url=server.url(a), body=r.content, headers=dict(r.headers),
                       outlet_languages=("ru", "ky"))
    assert res.article is not None
    art = res.article
    assert art.title == a.title and art.language == "ky" and art.published == a.published
    assert art.canonical_url == server.url(a)
    assert "Казакстандын жарандары" in art.text
    later = next(b for b in eco.of_outlet("alatoo") if b.published > server.now)
    assert get(client, "alatoo.example", later.path).status_code == 404
    server.now = later.published
    assert get(client, "alatoo.example", later.path).status_code == 200


def test_article_304_and_daily_noise(server: DemoServer, client: httpx.Client,
                                     eco: Ecosystem) -> None:
    a = eco.of_outlet("meridian")[5]
    server.now = a.published + timedelta(hours=1)
    r = get(client, "meridian.example", a.path)
    etag = r.headers["etag"]
    assert get(client, "meridian.example", a.path, **{"If-None-Match": etag}).status_code == 304
    ims = format_datetime(a.published, usegmt=True)
    assert get(client, "meridian.example", a.path, **{"If-Modified-Since": ims}).status_code == 304
    server.now += timedelta(days=1)  # the view counter and related block move: not the text
    r2 = get(client, "meridian.example", a.path, **{"If-None-Match": etag})
    assert r2.status_code == 200 and r2.text != r.text
    assert all(p in r2.text for p in a.text().split("\n\n")[:1])


def test_edit_switches_version_by_clock(server: DemoServer, client: httpx.Client,
                                        eco: Ecosystem) -> None:
    a = next(a for a in eco.articles if a.edited_at)
    host = f"{a.outlet_id}.example"
    server.now = sc.EARLY_PASS
    v1 = get(client, host, a.path)
    assert "гражданами Казахстана" in v1.text or "граждане Казахстана" in v1.text
    assert "article:modified_time" not in v1.text
    server.now = sc.EDIT.at
    v2 = get(client, host, a.path, **{"If-None-Match": v1.headers["etag"]})
    assert v2.status_code == 200 and "Казахстана" not in v2.text
    assert "article:modified_time" in v2.text
    assert v2.headers["last-modified"] == format_datetime(sc.EDIT.at, usegmt=True)


def test_deletions(server: DemoServer, client: httpx.Client, eco: Ecosystem) -> None:
    gone = {a.deletion: a for a in eco.articles if a.deleted_at}
    for kind, a in gone.items():
        host = f"{a.outlet_id}.example"
        server.now = a.deleted_at - timedelta(seconds=1)  # type: ignore[operator]
        assert get(client, host, a.path).status_code == 200
        assert a.path in get(client, host, "/").text
        server.now = a.deleted_at  # type: ignore[assignment]
        r = get(client, host, a.path)
        expected = {"http_404": 404, "redirect_home": 301, "soft_404": 200}[kind]
        assert r.status_code == expected, kind
        if kind == "redirect_home":
            assert r.headers["location"] == f"http://{host}/"
        if kind == "soft_404":  # the same page the site gives for any missing path
            assert r.text == get(client, host, "/no-such-page").text
        assert server.url(a) not in server.discoverable(a.outlet_id)


def test_tls_reset_by_sni_in_its_period_only(server: DemoServer, client: httpx.Client) -> None:
    (plan,) = [b for b in sc.BLOCKS if b.kind == "tls_reset"]
    host = f"{plan.outlet_id}.example"
    ctx = trusting(server)
    server.now = plan.since - timedelta(seconds=1)
    assert tls_get(server.tls_port, host, host, "/rss.xml", ctx).startswith(b"HTTP/1.1 200")
    assert server.discoverable(plan.outlet_id)
    server.now = plan.since
    hits = sum(server.hits.values())
    # a reset, not a close: what the collector and the probe record as connection_reset
    with pytest.raises(ConnectionResetError):
        tls_get(server.tls_port, host, host, "/rss.xml", ctx)
    assert sum(server.hits.values()) == hits  # the request never reached the site
    assert server.discoverable(plan.outlet_id) == set()
    # the censor reads the name only: a neutral one passes, and so does no name at all
    neutral = trusting(server, check_hostname=False)
    for sni in (DEFAULT_NEUTRAL_SNI, None):
        assert tls_get(server.tls_port, sni, host, "/rss.xml", neutral).startswith(
            b"HTTP/1.1 200"), sni
    # the control's path has no censor; plain http is not filtered
    assert tls_get(server.tls_direct_port, host, host, "/rss.xml", ctx).startswith(
        b"HTTP/1.1 200")
    assert get(client, host, "/rss.xml").status_code == 200
    # other outlets pass on every path
    other = "meridian.example"
    assert tls_get(server.tls_port, other, other, "/", neutral).startswith(b"HTTP/1.1 200")
    assert get(client, other, "/").status_code == 200
    if plan.until < datetime.max.replace(tzinfo=UTC):
        server.now = plan.until  # exclusive: the block is over
        assert tls_get(server.tls_port, host, host, "/", ctx).startswith(b"HTTP/1.1 200")


def test_tls_reset_waits_for_a_client_hello_sent_in_pieces(server: DemoServer) -> None:
    (plan,) = [b for b in sc.BLOCKS if b.kind == "tls_reset"]
    server.now = plan.since
    hello = client_hello(f"{plan.outlet_id}.example")
    with socket.create_connection(("127.0.0.1", server.tls_port), timeout=10) as s:
        s.sendall(hello[:7])  # record header and two bytes: the name is yet to come
        time.sleep(0.3)
        s.sendall(hello[7:])
        with pytest.raises(ConnectionResetError):
            while s.recv(65536):
                pass


def test_clean_ecosystem_serves_everything() -> None:
    eco = generate(scale=0.1, patterns=False)
    with DemoServer(eco) as s, httpx.Client(base_url=f"http://127.0.0.1:{s.port}") as c:
        s.now = sc.END
        assert get(c, "eurasia.example", "/rss.xml").status_code == 200
        ctx = trusting(s)
        for port in (s.tls_port, s.tls_direct_port):
            assert tls_get(port, "eurasia.example", "eurasia.example", "/rss.xml",
                           ctx).startswith(b"HTTP/1.1 200")
        for b in sc.BLOCKS:  # no blocks, no outage
            s.now = b.since
            assert s.discoverable(b.outlet_id)
            assert get(c, f"{b.outlet_id}.example", "/").status_code == 200
            assert s.dns_answer(f"{b.outlet_id}.example") == ["127.0.0.1"]
        s.now = sc.END
        for a in eco.of_outlet("baiterek")[:50]:
            assert get(c, "baiterek.example", a.path).status_code == 200


def test_clock_must_be_timezone_aware(server: DemoServer) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        server.now = sc.END.replace(tzinfo=None)
