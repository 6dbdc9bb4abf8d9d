"""Ecosystem 2's study file: outlets, the two stories and the two events.

``study_toml(ports)`` names every outlet with the feeds and sitemaps a
researcher would have found (some sitemaps only through robots.txt, one
outlet only through its home page), maps each ``.test`` domain to its
loopback port with ``[fetch] resolve`` and declares the stories (the mine
story with its facts in ru/kk/ky/en, the hydro story with none, so untold
proposes its own) and the events. It sets no time zone for any outlet: a
researcher would not, so zone-less times must be read by the outlet's country.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.ecosystem2 import scenario as sc

__all__ = ["FEED_PATHS", "STUDY_FILE", "study_toml"]

STUDY_FILE = "study.toml"
FEED_PATHS = {"rss": "/rss.xml", "atom": "/feed.atom"}
CONCURRENCY = 32  # loopback: no politeness needed; extraction limits the speed
PER_HOST = 8


def _s(value: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


def _list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def _time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def study_toml(ports: dict[str, int], *, archive: str = "archive") -> str:
    """The study with each outlet's domain resolved to 127.0.0.1 and its port."""
    resolve = ", ".join(f"{_s(d)} = {_s(f'127.0.0.1:{p}')}" for d, p in sorted(ports.items()))
    parts = [f"""# untold test ecosystem 2: eleven fictional outlets served on loopback.
[study]
name = "ecosystem 2: the Besoba mine and the Kokzhar plant"
archive = {_s(archive)}
description = "Fictional KZ, KG, RU and international outlets, September-October 2026"

[fetch]
user_agent = "untold-ecosystem2/0.1"
concurrency = {CONCURRENCY}
per_host = {PER_HOST}
delay = 0.0
timeout = 10.0
retries = 0
resolve = {{ {resolve} }}
allow_private = true  # served on loopback (127.0.0.1)

[collect]
max_articles_per_outlet = 10000
link_discovery_pages = 1
"""]
    for o in sc.OUTLETS:
        feeds = [o.base + FEED_PATHS[o.feed]] if o.feed else []
        maps = [o.base + "/sitemap.xml"] if o.sitemap and o.sitemap_in_study else []
        parts.append(f"""[[outlets]]
id = {_s(o.id)}
name = {_s(o.name)}
domains = [{_s(o.domain)}]
country = {_s(o.country)}
languages = {_list([lang for lang, _ in o.languages])}
groups = {_list(o.groups)}
feeds = {_list(feeds)}
sitemaps = {_list(maps)}
homepage = {_s(o.base + "/")}
""")
    for story in (sc.MINE, sc.HYDRO):
        facts = ", ".join(f"{k} = {_s(v)}" for k, v in story.facts.items())
        parts.append(f"""[[stories]]
id = {_s(story.id)}
title = {_s(story.title)}
query = {_s(story.query)}
start = {_time(story.start)}
end = {_time(story.end)}
facts = {{ {facts} }}
""")
    for eid, when, description, groups, countries in sc.EVENTS:
        parts.append(f"""[[events]]
id = {_s(eid)}
time = {_time(when)}
description = {_s(description)}
groups = {_list(groups)}
countries = {_list(countries)}
""")
    return "\n".join(parts)
