"""A small real archive (study file + SQLite) whose story numbers are known by hand.

Window of story ``kz``: 2026-03-10T00:00Z .. 2026-03-12T00:00Z (two days).
Articles (id = insertion order; * = matches ``Казахстан`` in some case form):

  id outlet      time (UTC)         text
   1 state1      03-10 09:00 *      Казахстане ...                first report anywhere
   2 state1      03-10 09:30        weather
   3 state1      03-11 14:00 *      Казахстана ...
   4 state1      03-11 15:00        sport
   5 state2      03-10 12:00 *      WIRE + a sentence              reprint of 7 (stored first,
                                                                  so the link runs 7 -> 5)
   6 state2      (no date; fetched 03-11 08:00) * Казахстану
   7 indep1      03-10 10:00 *      WIRE                           the original
   8 indep1      03-10 11:00        culture
   9 indep2      03-10 13:00        economy                        silent
  10 indep2      03-11 09:00        economy
  11 wire.example (uncurated) 03-10 11:30 * WIRE                  reprint of 7 (link 11 -> 7)
  12 flaky       03-11 10:00        traffic                        3 of 4 fetches failed
  13 state1      03-13 09:00 *      Казахстан (after the window)
Captures: one per article (fetched one hour after publication, 200), plus
  blocked: dns_nxdomain_error x2, connection_reset x1 in the window (no articles)
  quiet:   feed 200 and robots 404 in the window (no articles)
  indep2:  one generic_timeout_error in the window
  flaky:   generic_timeout_error x2, http 503 x1 in the window
  never:   one feed 200 on 03-20 (outside the window)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.archives import open_study, stored_article
from untold.models import CaptureRecord, Outlet
from untold.text.minhash import minhash_signature, text_hash

WIRE = (
    "Агентство сообщает что в Казахстане начались масштабные учения спасателей в пяти "
    "областях страны. По словам представителя министерства по чрезвычайным ситуациям в "
    "учениях участвуют более двух тысяч человек и триста единиц техники. Учения продлятся "
    "до конца недели и завершатся общим разбором действий всех служб. Жителей просят не "
    "беспокоиться если они увидят колонны техники на дорогах и вертолёты над городами."
)

STUDY = """
[study]
name = "stories test"
archive = "arch"

[[outlets]]
id = "state1"
name = "State One"
domains = ["state1.example"]
country = "KZ"
groups = ["state"]

[[outlets]]
id = "state2"
name = "State Two"
domains = ["state2.example"]
country = "KZ"
groups = ["state", "wire-users"]

[[outlets]]
id = "indep1"
name = "Independent One"
domains = ["indep1.example"]
country = "KZ"
groups = ["independent"]

[[outlets]]
id = "indep2"
name = "Independent Two"
domains = ["indep2.example"]
country = "KZ"
groups = ["independent"]

[[outlets]]
id = "blocked"
name = "Blocked"
domains = ["blocked.example"]
country = "KZ"
groups = ["independent"]

[[outlets]]
id = "flaky"
name = "Flaky"
domains = ["flaky.example"]
country = "KZ"
groups = ["independent"]

[[outlets]]
id = "quiet"
name = "Quiet"
domains = ["quiet.example"]
country = "KZ"
groups = ["state"]

[[outlets]]
id = "never"
name = "Never"
domains = ["never.example"]
country = "RU"
groups = ["foreign"]

[[stories]]
id = "kz"
title = "Kazakhstan"
query = "Казахстан"
start = 2026-03-10T00:00:00Z
end = 2026-03-12T00:00:00Z

[[stories]]
id = "open"
title = "Kazakhstan, window from the data"
query = "Казахстан"

[[stories]]
id = "none"
title = "Nothing matches"
query = "Антарктида"
start = 2026-03-10T00:00:00Z
end = 2026-03-12T00:00:00Z

[[events]]
id = "warning"
time = 2026-03-10T08:00:00Z
description = "Prosecutor's warning to the media"
groups = ["independent"]
countries = ["KZ"]

[[events]]
id = "old"
time = 2026-01-01T00:00:00Z
description = "Outside the window"
"""

# (outlet, published "MM-DD HH:MM" or None, fetched override, title, text)
ARTICLES: list[tuple[str, str | None, str | None, str, str]] = [
    ("state1", "03-10 09:00", None, "Выборы", "Выборы в Казахстане назначены на осень."),
    ("state1", "03-10 09:30", None, "Погода", "Завтра ожидается снег и ветер."),
    ("state1", "03-11 14:00", None, "Визит", "Президент Казахстана встретил гостей."),
    ("state1", "03-11 15:00", None, "Спорт", "Футбольный клуб выиграл матч."),
    ("state2", "03-10 12:00", None, "Учения", WIRE + " Об этом сообщила пресс-служба ведомства."),
    ("state2", None, "03-11 08:00", "Помощь", "Соседи обещали Казахстану помощь."),
    ("indep1", "03-10 10:00", None, "Учения спасателей", WIRE),
    ("indep1", "03-10 11:00", None, "Театр", "Премьера спектакля прошла с успехом."),
    ("indep2", "03-10 13:00", None, "Цены", "Цены на хлеб выросли."),
    ("indep2", "03-11 09:00", None, "Курс", "Курс валют остался прежним."),
    ("wire.example", "03-10 11:30", None, "Учения", WIRE),
    ("flaky", "03-11 10:00", None, "Пробки", "В городе пробки."),
    ("state1", "03-13 09:00", None, "Итоги", "Казахстан подвёл итоги недели."),
]

# (outlet, "MM-DD HH:MM", status, failure, kind)
EXTRA_CAPTURES: list[tuple[str, str, int | None, str | None, str]] = [
    ("blocked", "03-10 06:00", None, "dns_nxdomain_error", "feed"),
    ("blocked", "03-11 06:00", None, "dns_nxdomain_error", "feed"),
    ("blocked", "03-11 07:00", None, "connection_reset", "home"),
    ("quiet", "03-10 06:00", 200, None, "feed"),
    ("quiet", "03-10 06:01", 404, None, "robots"),
    ("indep2", "03-11 06:00", None, "generic_timeout_error", "feed"),
    ("flaky", "03-10 06:00", None, "generic_timeout_error", "feed"),
    ("flaky", "03-10 07:00", None, "generic_timeout_error", "feed"),
    ("flaky", "03-10 08:00", 503, None, "feed"),
    ("never", "03-20 06:00", 200, None, "feed"),
]


def when(text: str) -> datetime:
    return datetime.strptime("2026-" + text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def build(root: Path) -> Path:
    """Write the study file and fill its archive; return the study path."""
    path, _, store = open_study(root, STUDY)
    try:
        store.ensure_outlet(Outlet(id="wire.example", name="wire.example",
                                   domains=("wire.example",), curated=False))
        for n, (outlet, pub, fetched, title, text) in enumerate(ARTICLES, start=1):
            published = when(pub) if pub else None
            fetched_at = when(fetched) if fetched else (published or when("03-01 00:00")) \
                + (timedelta(0) if fetched else timedelta(hours=1))
            new = stored_article(
                store, outlet=outlet, url=f"https://{outlet}/{n}", fetched_at=fetched_at,
                title=title, text=text, published=published, text_hash=text_hash(text),
                minhash=minhash_signature(text), warc=("t.warc.gz", n, 1), sha256=f"{n:064x}")
            [out] = store.add_articles([new])
            assert out.article_id == n, (n, out)
        for outlet, t, status, failure, kind in EXTRA_CAPTURES:
            store.add_capture(CaptureRecord(
                url=f"https://{outlet}/{kind}", outlet_id=outlet, kind=kind,
                fetched_at=when(t), status=status, failure=failure, warc_file=None,
                warc_offset=None, warc_length=None, sha256=None))
    finally:
        store.close()
    return path
