"""The demo site plus a hostile outlet, for end-to-end collection tests.

``broken.example`` has a feed that is an HTML page, a sitemap index that lists
itself, and pages that hang, flood 2 GB, send a gzip bomb, redirect in a loop,
or are cp1251 bytes labelled utf-8.
"""

from __future__ import annotations

import gzip
import time
from typing import Any

from tests.support.outlet_site import OUTLETS, article_html
from tests.support.outlet_site import OutletServer as _Site
from tests.support.outlet_site import study_toml as _study_toml

__all__ = ["BROKEN", "OUTLETS", "OutletServer", "study_toml"]

BROKEN = "broken.example"
GZIP_BOMB = gzip.compress(b"\0" * 30_000_000)


class OutletServer(_Site):
    def extra_host(self, h: Any, host: str, path: str) -> bool:
        if host != BROKEN:
            return False
        _broken(h, path)
        return True


def _broken(h: Any, path: str) -> None:
    """Serve the hostile outlet; ``h`` is the request handler."""
    if path == "/robots.txt":
        return h.send(404, b"")
    if path == "/rss.xml":  # an HTML page where the feed should be
        return h.send(200, b"<html><body>Welcome!</body></html>")
    if path == "/sitemap.xml":  # an index that lists itself and a child that loops
        idx = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/'
               'schemas/sitemap/0.9"><sitemap><loc>http://broken.example/sitemap.xml'
               '</loc></sitemap><sitemap><loc>http://broken.example/sm2.xml</loc>'
               "</sitemap></sitemapindex>")
        return h.send(200, idx.encode(), "application/xml")
    if path == "/sm2.xml":
        urls = "".join(f"<url><loc>http://broken.example/{p}</loc></url>" for p in
                       ("hang.html", "flood.html", "bomb.html", "loop.html",
                        "cp1251.html"))
        body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">{urls}<url><loc>http://broken.example/'
                "sitemap.xml</loc></url></urlset>")
        return h.send(200, body.encode(), "application/xml")
    if path == "/hang.html":
        time.sleep(6)
        return None
    if path == "/flood.html":  # claims 2 GB and keeps sending
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(2 * 1024**3))
        h.end_headers()
        try:
            chunk = b"<p>" + b"x" * 65536
            for _ in range(40_000):
                h.wfile.write(chunk)
        except OSError:
            pass
        return None
    if path == "/bomb.html":
        return h.send(200, GZIP_BOMB, extra={"Content-Encoding": "gzip"})
    if path == "/loop.html":
        return h.send(302, b"", extra={"Location": "/loop2.html"})
    if path == "/loop2.html":
        return h.send(302, b"", extra={"Location": "/loop.html"})
    if path == "/cp1251.html":  # cp1251 bytes labelled utf-8: common in the region
        html = article_html("broken.example", "ru", 3)
        html = html.replace('href="http://broken.example/news/3.html"',
                            'href="http://broken.example/cp1251.html"')
        return h.send(200, html.encode("cp1251"))
    return h.send(404, b"not found")



def study_toml(port: int, archive: str = "archive", *, broken: bool = True,
               timeout: float = 2.0) -> str:
    text = _study_toml(port, archive, timeout=timeout, extra_hosts=(BROKEN,) if broken else ())
    if broken:
        text += f"""
[[outlets]]
id = "broken"
name = "Broken"
domains = ["{BROKEN}"]
languages = ["ru"]
homepage = "http://{BROKEN}/"
feeds = ["http://{BROKEN}/rss.xml"]
sitemaps = ["http://{BROKEN}/sitemap.xml"]
"""
    return text
