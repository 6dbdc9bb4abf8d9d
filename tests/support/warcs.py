"""News pages in Russian, Kazakh, Kyrgyz and English, and WARC files holding them.

Every page is a distinct article (its own sentence order, title and a unique
closing sentence) of a few hundred words; WARCs are written with warcio, as
other crawlers write them, with request and metadata records around the
responses.
"""

from __future__ import annotations

import gzip as gzip_mod
import hashlib
import html
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from untold.config import Study, load_study

SENTENCES: dict[str, list[str]] = {
    "ru": [
        "В Алматы прошло заседание правительства, на котором обсуждалась экономическая "
        "ситуация в стране.",
        "Премьер-министр заявил, что рост валового внутреннего продукта в этом году "
        "превысит четыре процента.",
        "Министерство сельского хозяйства сообщило, что уборочная кампания завершится вовремя.",
        "В области планируется строительство новых школ, больниц и детских садов.",
        "Депутаты рассмотрели законопроект о реформе пенсионной системы и отправили его "
        "на доработку.",
        "По мнению экспертов, курс национальной валюты в ближайшие месяцы останется "
        "стабильным.",
        "Министр финансов подчеркнул необходимость сокращения расходов для уменьшения "
        "дефицита бюджета.",
        "Жители выразили недовольство ростом тарифов на коммунальные услуги этой зимой.",
        "Городская администрация сообщила, что ремонт улиц продлится до поздней осени.",
        "Изменения в сфере образования предусматривают повышение зарплат учителей.",
        "На заседании парламента был поднят вопрос о борьбе с коррупцией в госорганах.",
        "Президент представил новые проекты на встрече с иностранными инвесторами.",
    ],
    "kk": [
        "Астанада үкімет отырысында елдегі экономикалық жағдай жан-жақты талқыланды.",
        "Премьер-министр биыл ішкі жалпы өнімнің өсімі төрт пайыздан асатынын айтты.",
        "Ауыл шаруашылығы министрлігі егін жинау науқаны уақытында аяқталатынын мәлімдеді.",
        "Алматы облысында жаңа мектептер мен ауруханалар салу жоспарланып отыр.",
        "Депутаттар зейнетақы жүйесін реформалау туралы заң жобасын қарады.",
        "Сарапшылардың пікірінше, теңге бағамы жақын айларда тұрақты болып қалады.",
        "Қаржы министрі бюджет тапшылығын азайту үшін шығындарды қысқарту қажет екенін "
        "атап өтті.",
        "Тұрғындар коммуналдық қызметтер бағасының өсуіне наразылық білдірді.",
        "Әкімдік қала көшелерін жөндеу жұмыстары күзге дейін жалғасатынын хабарлады.",
        "Білім беру саласындағы өзгерістер мұғалімдердің жалақысын арттыруды көздейді.",
        "Мәжіліс отырысында сыбайлас жемқорлыққа қарсы күрес мәселесі көтерілді.",
        "Ел президенті шетелдік инвесторлармен кездесуде жаңа жобаларды таныстырды.",
    ],
    "ky": [
        "Бишкекте өкмөттүн жыйынында өлкөдөгү экономикалык абал кеңири талкууланды.",
        "Министрлер кабинетинин төрагасы быйыл ички дүң продукциянын өсүшү беш пайыздан "
        "ашарын билдирди.",
        "Айыл чарба министрлиги түшүм жыйноо иштери өз убагында аяктаарын маалымдады.",
        "Ош шаарында жаңы мектептер менен ооруканаларды куруу пландалууда.",
        "Жогорку Кеңештин депутаттары пенсиялык системаны реформалоо боюнча мыйзам "
        "долбоорун карашты.",
        "Эксперттердин пикиринде, сомдун курсу жакынкы айларда туруктуу бойдон калат.",
        "Финансы министри бюджеттин тартыштыгын азайтуу үчүн чыгымдарды кыскартуу зарыл "
        "экенин белгиледи.",
        "Тургундар коммуналдык кызматтардын баасынын өсүшүнө нааразычылык билдиришти.",
        "Мэрия шаардын көчөлөрүн оңдоо иштери күзгө чейин уланарын кабарлады.",
        "Билим берүү тармагындагы өзгөрүүлөр мугалимдердин айлык акысын жогорулатууну "
        "көздөйт.",
        "Парламенттин жыйынында коррупцияга каршы күрөшүү маселеси көтөрүлдү.",
        "Өлкө башчысы чет элдик инвесторлор менен жолугушууда жаңы долбоорлорду тааныштырды.",
    ],
    "en": [
        "The government met in the capital on Monday to discuss the state of the economy.",
        "The prime minister said that growth in gross domestic product would exceed four "
        "percent this year.",
        "The agriculture ministry said that the harvest campaign would finish on time.",
        "The region plans to build new schools, hospitals and kindergartens next year.",
        "Members of parliament reviewed the pension reform bill and sent it back for changes.",
        "Economists expect the national currency to remain stable over the coming months.",
        "The finance minister stressed that spending must be cut to reduce the budget deficit.",
        "Residents complained about rising utility prices ahead of the winter season.",
        "City officials said that road repairs would continue until the end of autumn.",
        "Changes in education policy include higher salaries for school teachers.",
        "The question of fighting corruption in state agencies was raised in parliament.",
        "The president presented new projects at a meeting with foreign investors.",
    ],
}

CLOSING = {
    "ru": "Это сообщение номер {n}, подготовленное корреспондентом {who}.",
    "kk": "Бұл {n} нөмірлі хабарды тілші {who} дайындады.",
    "ky": "Бул {n} номерлүү кабарды кабарчы {who} даярдады.",
    "en": "This is report number {n}, filed by correspondent {who}.",
}
TITLE = {
    "ru": "Новости экономики: выпуск {n}",
    "kk": "Экономика жаңалықтары: {n} шығарылым",
    "ky": "Экономика жаңылыктары: {n} чыгарылыш",
    "en": "Economy news: issue {n}",
}
NAMES = ["Aigerim", "Bakyt", "Daniyar", "Elena", "Gulnara", "Nurlan", "Olga", "Timur"]
BASE_DATE = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def article_text(lang: str, n: int) -> list[str]:
    """Paragraphs of article ``n`` in ``lang``: ~250 words, unique to (lang, n)."""
    rng = random.Random(f"{lang}-{n}")
    sents = SENTENCES[lang]
    paras = []
    for _ in range(5):
        paras.append(" ".join(rng.sample(sents, 4)))
    paras.append(CLOSING[lang].format(n=n * 7919 + 13, who=rng.choice(NAMES)))
    return paras


def news_page(lang: str, n: int, *, site: str = "News") -> bytes:
    """A news article page with navigation and footer boilerplate around the text."""
    title = TITLE[lang].format(n=n)
    published = (BASE_DATE + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in article_text(lang, n))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{published}">
</head><body>
<nav><a href="/">{site}</a> <a href="/politics">Politics</a> <a href="/economy">Economy</a></nav>
<article><h1>{html.escape(title)}</h1>
<time datetime="{published}">{published[:10]}</time>
{body}
</article>
<footer>© {site} 2025. All rights reserved. <a href="/about">About</a></footer>
</body></html>""".encode()


@dataclass
class Rec:
    """One record to write: a response (status given), a resource, a request or metadata."""

    url: str
    body: bytes
    kind: str = "response"
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    date: datetime = BASE_DATE


def page_records(pages: Iterable[tuple[str, bytes]], *, with_extras: bool = True
                 ) -> list[Rec]:
    """Responses for ``(url, html)`` pairs, each with a request and a metadata record."""
    out: list[Rec] = []
    for i, (url, body) in enumerate(pages):
        when = BASE_DATE + timedelta(minutes=i)
        if with_extras:
            out.append(Rec(url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", kind="request", date=when))
        out.append(Rec(url, body, date=when))
        if with_extras:
            out.append(Rec(url, b'{"via": "test"}', kind="metadata",
                           content_type="application/json", date=when))
    return out


def _write(w: WARCWriter, r: Rec) -> None:
    wh = {"WARC-Date": r.date.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if r.kind == "response":
        reason = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}.get(r.status, "X")
        hh = StatusAndHeaders(f"{r.status} {reason}",
                              [("Content-Type", r.content_type), *r.headers],
                              protocol="HTTP/1.1")
        rec = w.create_warc_record(r.url, "response", payload=io.BytesIO(r.body),
                                   http_headers=hh, warc_headers_dict=wh)
    elif r.kind == "request":
        rec = w.create_warc_record(r.url, "request", payload=io.BytesIO(r.body),
                                   warc_headers_dict=wh)
    else:
        rec = w.create_warc_record(r.url, r.kind, payload=io.BytesIO(r.body),
                                   warc_content_type=r.content_type, warc_headers_dict=wh)
    w.write_record(rec)


def write_warc(path: Path, recs: Sequence[Rec], *, gzip: bool = True) -> Path:
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=gzip)
        for r in recs:
            _write(w, r)
    return path


def record_bytes(recs: Sequence[Rec]) -> list[bytes]:
    """Each record as an uncompressed WARC holds it; ``gzipped`` each for a .warc.gz
    (one gzip member per record, as crawlers write them)."""
    out = []
    for r in recs:
        buf = io.BytesIO()
        _write(WARCWriter(buf, gzip=False), r)
        out.append(buf.getvalue())
    return out


def with_content_length(record: bytes, delta: int) -> bytes:
    """``record`` with its WARC Content-Length off by ``delta`` (the bytes unchanged)."""
    head, sep, rest = record.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    for i, line in enumerate(lines):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            lines[i] = b"Content-Length: %d" % (int(value) + delta)
    return b"\r\n".join(lines) + sep + rest


def chunked(data: bytes, size: int = 700) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
             for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def gzipped(data: bytes) -> bytes:
    return gzip_mod.compress(data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The study the import tests import into: two curated outlets; the other domains of
# the pages become uncurated outlets.
STUDY_TOML = """
[study]
name = "import test"
archive = "archive"

[[outlets]]
id = "vlast"
name = "Vlast"
domains = ["vlast.kz"]
country = "KZ"
languages = ["ru"]

[[outlets]]
id = "azattyq-kk"
name = "Azattyq (kk)"
domains = ["kazakh.azattyq.org"]
country = "KZ"
languages = ["kk"]
"""


def make_study(tmp_path: Path, name: str = "study.toml") -> Study:
    path = tmp_path / name
    path.write_text(STUDY_TOML.replace('archive = "archive"',
                                       f'archive = "{path.stem}-archive"'), encoding="utf-8")
    return load_study(path)
