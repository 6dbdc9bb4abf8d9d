"""The example's study file and ground truth on disk.

``study_toml(port)`` names every outlet (its feeds and sitemaps as the
scenario says; some are found only through robots.txt or home-page links),
maps their ``.example`` domains to the local server with ``[fetch] resolve``
(the https ones to its TLS port, trusting the example CA with ``[fetch] ca_file``),
and declares the story (query and facts in ru/kk/ky/en) and the warning event.
``build_example(dest)`` writes the study and ``ground_truth.json`` beside it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from untold.demo import scenario as sc
from untold.demo.generator import Ecosystem, generate
from untold.demo.scenario import DemoOutlet
from untold.demo.truth import ground_truth
from untold.timeutil import to_iso

__all__ = ["CA_FILE", "GROUND_TRUTH_FILE", "STUDY_FILE", "build_example", "bulk_study_toml",
           "feed_path", "study_toml"]

STUDY_FILE = "study.toml"
GROUND_TRUTH_FILE = "ground_truth.json"
CA_FILE = "tls/example-ca.pem"  # the example CA's certificate, beside the study (public)
DEMO_CONCURRENCY = 64  # loopback: no politeness needed, only the extractor limits speed
DEMO_PER_HOST = 8


def _s(value: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def feed_path(feed: str | None) -> str | None:
    return {"rss": "/rss.xml", "atom": "/atom.xml"}.get(feed or "")


def study_toml(port: int, *, tls_port: int | None = None, ca_file: str | None = None,
               archive: str = "archive", timeout: float = 10.0) -> str:
    """The example study: every outlet resolved to 127.0.0.1:``port``, the https ones
    to 127.0.0.1:``tls_port`` (``port`` too when None: the server has no TLS), and the
    example CA (``ca_file``, as written in the study: relative to its folder) trusted."""
    def target(o: DemoOutlet) -> str:
        return f"127.0.0.1:{tls_port if o.https and tls_port is not None else port}"

    resolve = ", ".join(f"{_s(o.domain)} = {_s(target(o))}" for o in sc.OUTLETS)
    trust = (f"ca_file = {_s(ca_file)}  # the example's own CA, for its https outlets\n"
             if ca_file else "")
    parts = [f"""# The untold example: a synthetic news ecosystem served on loopback.
# Outlets, texts and events are fictional; see ground_truth.json for what was planted.
[study]
name = "untold example: the execution video"
archive = {_s(archive)}
description = "Thirteen fictional outlets (KZ, KG, regional, international), September-October 2026"

[fetch]
user_agent = "untold-demo/0.1"
concurrency = {DEMO_CONCURRENCY}
per_host = {DEMO_PER_HOST}
delay = 0.0
timeout = {timeout}
retries = 0
max_redirects = 5
resolve = {{ {resolve} }}
allow_private = true  # the site is served on loopback (127.0.0.1)
{trust}
[collect]
max_articles_per_outlet = 10000
link_discovery_pages = 1
"""]
    for o in sc.OUTLETS:
        feeds = [o.base + p] if (p := feed_path(o.feed)) else []
        maps = [o.base + "/sitemap.xml"] if o.sitemap and o.sitemap_in_study else []
        parts.append(f"""[[outlets]]
id = {_s(o.id)}
name = {_s(o.name)}
domains = [{_s(o.domain)}]
country = {_s(o.country)}
languages = {_list([lang for lang, _ in o.languages])}
groups = {_list(list(o.groups))}
feeds = {_list(feeds)}
sitemaps = {_list(maps)}
homepage = {_s(o.base + "/")}
""")
    facts = ", ".join(f"{k} = {_s(v)}" for k, v in sc.FACTS.items())
    parts.append(f"""[[stories]]
id = {_s(sc.STORY_ID)}
title = {_s(sc.STORY_TITLE)}
query = {_s(sc.STORY_QUERY)}
start = {to_iso(sc.STORY_BREAK.replace(hour=0))}
end = {to_iso(sc.END)}
facts = {{ {facts} }}

[[events]]
id = {_s(sc.EVENT_ID)}
time = {to_iso(sc.WARNING)}
description = {_s(sc.EVENT_DESCRIPTION)}
groups = ["domestic"]
countries = ["KZ"]
""")
    return "\n".join(parts)


def build_example(dest: str | Path, *, port: int = 8080, tls_port: int | None = None,
                  ca_file: str | Path | None = None, eco: Ecosystem | None = None,
                  archive: str = "archive") -> dict[str, Any]:
    """Write ``study.toml`` (resolved to ``port`` and ``tls_port``) and
    ``ground_truth.json`` in ``dest``; with ``ca_file`` (the server's CA certificate),
    a copy of it in ``dest/tls/`` that the study trusts by a relative path, so the
    study stays valid after the server is gone.

    Returns the paths and the ground truth. Serve the ecosystem with
    ``untold.demo.server.DemoServer`` and rewrite the study for its ports.
    """
    eco = eco or generate()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    trust = None
    if ca_file is not None:
        copy = dest / CA_FILE
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(Path(ca_file).read_bytes())
        trust = CA_FILE
    study = dest / STUDY_FILE
    study.write_text(study_toml(port, tls_port=tls_port, ca_file=trust, archive=archive),
                     encoding="utf-8")
    truth = ground_truth(eco)
    gt = dest / GROUND_TRUTH_FILE
    gt.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"study": study, "ground_truth": gt, "truth": truth}


def bulk_study_toml(outlets: Sequence[DemoOutlet], *, end: datetime, warning: datetime,
                    archive: str = "archive") -> str:
    """A study naming the bulk outlets, the story (its window) and the warning."""
    parts = [f"[study]\nname = \"untold bulk example\"\narchive = {_s(archive)}\n"]
    for o in outlets:
        parts.append(f"[[outlets]]\nid = {_s(o.id)}\nname = {_s(o.name)}\n"
                     f"domains = [{_s(o.domain)}]\ncountry = {_s(o.country)}\n"
                     f"languages = {_list([lang for lang, _ in o.languages])}\n"
                     f"groups = {_list(list(o.groups))}\n")
    facts = ", ".join(f"{k} = {_s(v)}" for k, v in sc.FACTS.items())
    brk = warning - (sc.WARNING - sc.STORY_BREAK)
    parts.append(f"[[stories]]\nid = {_s(sc.STORY_ID)}\ntitle = {_s(sc.STORY_TITLE)}\n"
                 f"query = {_s(sc.STORY_QUERY)}\nstart = {to_iso(brk.replace(hour=0))}\n"
                 f"end = {to_iso(end)}\nfacts = {{ {facts} }}\n")
    parts.append(f"[[events]]\nid = {_s(sc.EVENT_ID)}\ntime = {to_iso(warning)}\n"
                 f"description = {_s(sc.EVENT_DESCRIPTION)}\ngroups = [\"domestic\"]\n"
                 f"countries = [\"KZ\"]\n")
    return "\n".join(parts)
