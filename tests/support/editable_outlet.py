"""A local outlet on 127.0.0.1 whose articles change on a schedule of its own clock.

Each article has a timeline of (offset seconds from ``origin``, state); the
state at ``origin + offset <= now`` is served. States: ``("page", variant)``,
``("status", code)``, ``("redirect", location)``, ``("soft404",)``,
``("reset",)`` (the connection is dropped), ``("unlisted", variant)`` (the
page answers but the feed no longer names it). The server answers
conditional requests (ETag of the body), learns nothing, and counts every
request, 304 and byte, so tests check what the revisit pass cost.
"""

from __future__ import annotations

import hashlib
import io
import socket
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "news.example"

BASE = [
    "Авария на угольной шахте в Карагандинской области произошла в понедельник утром, "
    "когда под землёй находились более ста горняков ночной смены.",
    "По данным спасателей, число погибших достигло двенадцати человек, ещё восемь "
    "горняков доставлены в областную больницу с травмами различной тяжести.",
    "Местные жители рассказали журналистам, что после аварии у здания администрации "
    "прошёл стихийный протест родственников шахтёров, требовавших ответов.",
    "Компания-оператор заявила, что причины аварии выясняет специальная комиссия, "
    "а работа на шахте приостановлена до завершения проверки оборудования.",
    "Эксперты отмечают, что за последние годы на предприятиях компании произошло "
    "несколько похожих инцидентов, однако выводы из них сделаны не были.",
]
# The edited version: the death toll sentence and the protest removed, one sentence changed.
EDITED = [BASE[0],
          "По данным спасателей, несколько горняков доставлены в областную больницу.",
          BASE[3], BASE[4]]
NOT_FOUND_HTML = ("<!doctype html><html><head><title>Страница не найдена</title></head><body>"
                  "<nav><a href='/'>Главная</a> <a href='/politics/'>Политика</a></nav>"
                  "<h1>Страница не найдена</h1><p>К сожалению, запрошенная вами страница не "
                  "существует или была перемещена. Попробуйте воспользоваться поиском по "
                  "сайту или вернитесь на главную страницу нашего издания.</p>"
                  "<footer>© Новости 2026</footer></body></html>")


def article_html(path: str, title: str, paras: list[str], extra: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>{title}</title>"
            f"<link rel='canonical' href='http://{HOST}{path}'>"
            "<meta property='article:published_time' content='2026-10-05T08:00:00Z'></head>"
            "<body><nav><a href='/'>Главная</a> <a href='/politics/'>Политика</a></nav>"
            f"<article><h1>{title}</h1>{body}{extra}</article>"
            "<footer>© Новости 2026</footer></body></html>")


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops a burst of connects (1 s SYN retry)


class EditableOutlet:
    """Threaded server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.origin = datetime(2026, 10, 5, 10, tzinfo=UTC)
        self.now = self.origin
        self.delay = delay
        self.timelines: dict[str, list[tuple[float, tuple[Any, ...]]]] = {}
        self.pages: dict[str, tuple[str, list[str]]] = {}  # variant -> (title, paragraphs)
        self.published: dict[str, str] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified = 0
        self.bytes_sent = 0
        self.lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> EditableOutlet:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, path: str, timeline: list[tuple[float, tuple[Any, ...]]],
            published: str = "2026-10-05T08:00:00Z") -> None:
        self.timelines[path] = sorted(timeline, key=lambda x: x[0])
        self.published[path] = published

    def at(self, hours: float) -> None:
        self.now = self.origin + timedelta(hours=hours)

    def state(self, path: str) -> tuple[Any, ...]:
        rel = (self.now - self.origin).total_seconds()
        current: tuple[Any, ...] = ("status", 404)
        for off, st in self.timelines.get(path, []):
            if off <= rel:
                current = st
        return current

    def listed(self) -> list[str]:
        """Paths the feed and sitemap name now: live pages (and those merely failing)."""
        out = []
        for path in sorted(self.timelines, key=lambda p: self.published[p]):
            st = self.state(path)
            if st[0] in ("page", "reset") or (st[0] == "status" and st[1] >= 500):
                out.append(path)
        return out

    def sitemap(self) -> str:
        urls = "".join(f"<url><loc>http://{HOST}{p}</loc></url>" for p in self.listed())
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')

    def feed(self) -> str:
        items = ""
        for path in self.listed():
            pub = format_datetime(datetime.fromisoformat(
                self.published[path].replace("Z", "+00:00")), usegmt=True)
            items += (f"<item><title>{path}</title><link>http://{HOST}{path}</link>"
                      f"<pubDate>{pub}</pubDate></item>")
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>{HOST}</title><link>http://{HOST}/</link>{items}</channel></rss>")

    def home(self) -> str:
        links = "".join(f"<li><a href='{p}'>Заголовок новости дня {p}</a></li>"
                        for p in sorted(self.timelines))
        return f"<html><body><h1>Новости</h1><ul>{links}</ul></body></html>"

    def render(self, path: str, st: tuple[Any, ...], n: int) -> str:
        variant = st[1]
        if variant == "noisy":
            title, paras = self.pages["base"]
            clock = self.now.strftime("%H:%M:%S")
            token = hashlib.sha1(str(n).encode()).hexdigest()
            extra = (f"<p>Просмотров: {n * 37}</p><p>Обновлено {clock}</p>"
                     f"<p>Идентификатор запроса {token}</p>"
                     f"<p>Читайте также:</p><p>Случайная новость номер {n}</p>")
            return article_html(path, title, paras, extra)
        title, paras = self.pages[variant]
        return article_html(path, title, paras)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
                     extra: dict[str, str] | None = None) -> None:
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    with server.lock:
                        server.not_modified += 1
                    status, body = 304, b""
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if status in (200, 304):
                    self.send_header("ETag", etag)
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
                with server.lock:
                    server.bytes_sent += len(body)

            def do_GET(self) -> None:
                path = self.path
                with server.lock:
                    server.hits[path] += 1
                    n = server.hits[path]
                if server.delay and path.startswith("/news/"):
                    server_sleep(server.delay)
                if path == "/robots.txt":
                    return self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
                if path == "/sitemap.xml":
                    return self.send(200, server.sitemap().encode(), "application/xml")
                if path == "/rss.xml":
                    return self.send(200, server.feed().encode(), "application/rss+xml")
                if path == "/":
                    return self.send(200, server.home().encode())
                if path == "/politics/":
                    return self.send(200, "<html><body><h1>Политика</h1><p>Раздел</p>"
                                     "</body></html>".encode())
                if path not in server.timelines:
                    return self.send(200, NOT_FOUND_HTML.encode())  # the site soft-404s
                st = server.state(path)
                if st[0] == "status":
                    return self.send(st[1], b"<html><body>error</body></html>")
                if st[0] == "redirect":
                    return self.send(301, b"", extra={"Location": st[1]})
                if st[0] == "home":
                    return self.send(200, server.home().encode())
                if st[0] == "soft404":
                    return self.send(200, NOT_FOUND_HTML.encode())
                if st[0] == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    # drop every reference to the socket: with linger 0 the close is a RST
                    self.rfile.close()
                    self.wfile.close()
                    self.connection.close()
                    self.wfile = io.BytesIO()  # the server's final flush goes nowhere
                    self.close_connection = True
                    return None
                return self.send(200, server.render(path, st, n).encode())

        return H


def server_sleep(seconds: float) -> None:
    threading.Event().wait(seconds)


def study_toml(port: int, *, event_time: str = "2026-10-05T12:00:00Z",
               facts: bool = True, schedule: str | None = None, per_host: int = 8) -> str:
    sched = f"schedule = {schedule}\n" if schedule else ""
    story = f"""
[[stories]]
id = "mine"
title = "Mine accident"
query = "шахт*"
[stories.facts]
deaths = '"число погибших"'
protest = "протест*"

[[events]]
id = "warning"
time = {event_time}
description = "Prosecutor warns media about 'false information' on the accident"
""" if facts else ""
    return f"""[study]
name = "edits test"
archive = "archive"

[fetch]
user_agent = "untold-test/0.1"
delay = 0.0
per_host = {per_host}
timeout = 5.0
retries = 0
resolve = {{ "{HOST}" = "127.0.0.1:{port}" }}
allow_private = true

[revisit]
failure_retry = "1h"
{sched}
[[outlets]]
id = "news"
name = "News"
domains = ["{HOST}"]
languages = ["ru"]
groups = ["state"]
country = "KZ"
homepage = "http://{HOST}/"
feeds = ["http://{HOST}/rss.xml"]
sitemaps = ["http://{HOST}/sitemap.xml"]
{story}"""
