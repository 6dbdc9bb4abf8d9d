"""A small local news site for the collection tests and benchmarks (test support).

Serves four fictional outlets by Host header (the study maps their .example
domains to this server with ``[fetch] resolve``): feeds, sitemaps,
robots.txt, a home page and articles in Russian, Kazakh, Kyrgyz and English.
It binds to 127.0.0.1 only. Counts every request, so tests can check that
nothing is fetched twice; ``extra_host`` lets a test add a hostile outlet.
(``untold demo`` serves its own, larger example: ``untold.demo.server``.)
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PARAS = {
    "ru": [
        "Правительство Казахстана в понедельник объявило о новой программе поддержки фермеров в северных областях страны.",
        "По словам министра сельского хозяйства, в этом году урожай зерновых превысил прошлогодний на двенадцать процентов.",
        "Эксперты отмечают, что рост цен на удобрения остаётся главной проблемой для небольших хозяйств региона.",
        "В Астане прошло совещание, на котором обсуждались меры по стабилизации цен на продовольствие до конца года.",
        "Жители нескольких сёл пожаловались журналистам на плохое состояние дорог и отсутствие общественного транспорта.",
    ],
    "kk": [
        "Қазақстан үкіметі дүйсенбі күні елдің солтүстік облыстарындағы фермерлерді қолдаудың жаңа бағдарламасын жариялады.",
        "Ауыл шаруашылығы министрінің айтуынша, биыл астық өнімі өткен жылмен салыстырғанда он екі пайызға артты.",
        "Сарапшылардың пікірінше, тыңайтқыш бағасының өсуі өңірдегі шағын шаруашылықтар үшін басты мәселе болып қала береді.",
        "Астанада жыл соңына дейін азық-түлік бағасын тұрақтандыру шаралары талқыланған кеңес өтті.",
        "Бірнеше ауылдың тұрғындары журналистерге жолдардың нашар жағдайы мен қоғамдық көліктің жоқтығына шағымданды.",
    ],
    "ky": [
        "Кыргызстандын өкмөтү дүйшөмбү күнү өлкөнүн түндүк аймактарындагы дыйкандарды колдоонун жаңы программасын жарыялады.",
        "Айыл чарба министринин айтымында, быйыл дан өндүрүү өткөн жылга салыштырмалуу он эки пайызга өстү.",
        "Адистердин пикиринде, жер семирткичтердин баасынын өсүшү аймактагы чакан чарбалар үчүн негизги көйгөй бойдон калууда.",
        "Бишкекте жылдын аягына чейин азык-түлүк баасын турукташтыруу чаралары талкууланган жыйын өттү.",
        "Бир нече айылдын тургундары журналисттерге жолдордун начар абалына жана коомдук транспорттун жоктугуна нааразы болушту.",
    ],
    "en": [
        "The government of Kazakhstan on Monday announced a new programme to support farmers in the northern regions of the country.",
        "According to the agriculture minister, this year's grain harvest exceeded last year's by twelve percent.",
        "Experts note that rising fertiliser prices remain the main problem for small farms in the region.",
        "A meeting was held in Astana to discuss measures to stabilise food prices until the end of the year.",
        "Residents of several villages complained to journalists about the poor state of roads and the lack of public transport.",
    ],
}
TITLES = {"ru": "Новости дня", "kk": "Күн жаңалықтары", "ky": "Күндүн жаңылыктары",
          "en": "News of the day"}

# outlet host -> (language, number of articles, discovery: feed | sitemap | links)
OUTLETS = {
    "ru.example": ("ru", 6, "feed"),
    "kk.example": ("kk", 5, "sitemap"),
    "ky.example": ("ky", 5, "links"),
    "en.example": ("en", 5, "feed"),
}


def article_html(host: str, lang: str, i: int, *, charset: str = "utf-8") -> str:
    paras = PARAS[lang]
    body = "\n".join(
        f"<p>{paras[(i + k) % len(paras)]} ({host} {i}-{k})</p>" for k in range(8)
    )
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="{charset}">
<title>{TITLES[lang]} {i}</title>
<link rel="canonical" href="http://{host}/news/{i}.html">
<meta property="article:published_time" content="2026-10-{i + 1:02d}T08:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/sport/">Sport</a></nav>
<article><h1>{TITLES[lang]} {i}</h1>{body}</article>
<footer>© {host} 2026. All rights reserved.</footer></body></html>"""


def feed_xml(host: str, n: int) -> str:
    items = "".join(
        f"<item><title>Item {i}</title><link>http://{host}/news/{i}.html</link>"
        f"<pubDate>Mon, {i + 1:02d} Oct 2026 08:00:00 GMT</pubDate></item>"
        for i in range(n))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{host}</title><link>http://{host}/</link>{items}</channel></rss>")


def sitemap_xml(host: str, n: int) -> str:
    urls = "".join(f"<url><loc>http://{host}/news/{i}.html</loc>"
                   f"<lastmod>2026-10-{i + 1:02d}</lastmod></url>" for i in range(n))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


class OutletServer:
    """Threaded server on 127.0.0.1; ``hits`` counts (host, path) requests."""

    def __init__(self, *, article_delay: float = 0.0) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()
        self.article_delay = article_delay
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> OutletServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def extra_host(self, handler: Any, host: str, path: str) -> bool:
        """Serve ``host`` specially (subclasses); True when handled."""
        return False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
                     extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                path = self.path
                with server.lock:
                    server.hits[(host, path)] += 1
                if server.extra_host(self, host, path):
                    return None
                if host not in OUTLETS:
                    return self.send(404, b"no such site")
                lang, n, how = OUTLETS[host]
                etag = f'"{host}-v1"'
                cond = {"ETag": etag, "Last-Modified": formatdate(1_790_000_000, usegmt=True)}
                if path in ("/rss.xml", "/sitemap.xml") and \
                        self.headers.get("If-None-Match") == etag:
                    return self.send(304, b"", extra=cond)
                if path == "/robots.txt":
                    sm = f"Sitemap: http://{host}/sitemap.xml\n" if how == "sitemap" else ""
                    return self.send(200, f"User-agent: *\nDisallow: /private/\n{sm}".encode(),
                                     "text/plain")
                if path == "/rss.xml" and how == "feed":
                    return self.send(200, feed_xml(host, n).encode(), "application/rss+xml",
                                     cond)
                if path == "/sitemap.xml" and how == "sitemap":
                    return self.send(200, sitemap_xml(host, n).encode(), "application/xml",
                                     cond)
                if path == "/":
                    links = "".join(f'<li><a href="/news/{i}.html">Story number {i} today'
                                    f"</a></li>" for i in range(n))
                    return self.send(200, f"<html><body><ul>{links}</ul>"
                                     '<a href="/private/x.html">p</a></body></html>'.encode())
                if path.startswith("/news/") and path.endswith(".html"):
                    i = int(path[6:-5])
                    if i >= n:
                        return self.send(404, b"not found")
                    if server.article_delay:
                        time.sleep(server.article_delay)
                    return self.send(200, article_html(host, lang, i).encode())
                return self.send(404, b"not found")

        return H


def study_toml(port: int, archive: str = "archive", *, timeout: float = 5.0,
               extra_hosts: tuple[str, ...] = ()) -> str:
    """A study file for the site: every outlet's domain resolved to 127.0.0.1:port."""
    hosts = [*OUTLETS, *extra_hosts]
    resolve = ", ".join(f'"{h}" = "127.0.0.1:{port}"' for h in hosts)
    parts = [f"""[study]
name = "untold demo"
archive = "{archive}"
description = "A small synthetic news ecosystem served on loopback"

[fetch]
user_agent = "untold-demo/0.1"
delay = 0.0
per_host = 4
timeout = {timeout}
retries = 0
max_body = 2000000
max_redirects = 5
resolve = {{ {resolve} }}
allow_private = true  # the site is served on loopback (127.0.0.1)
"""]
    for host, (lang, _n, how) in OUTLETS.items():
        oid = host.split(".")[0]
        src = (f'feeds = ["http://{host}/rss.xml"]' if how == "feed" else
               f'sitemaps = ["http://{host}/sitemap.xml"]' if how == "sitemap" else "")
        parts.append(f"""[[outlets]]
id = "{oid}"
name = "{oid.upper()} News"
domains = ["{host}"]
languages = ["{lang}"]
homepage = "http://{host}/"
{src}
""")
    return "\n".join(parts)
