"""A real SQLite archive whose outlets were measured blocked or down for a while.

Six outlets over ``DAYS`` days publish ``PER_DAY`` articles a day, two of them on the
story; ``s1`` (the one outlet of the group the event names) publishes none on the
story from ``STOP_DAY`` on. Listings (one feed fetch a day, listing the day before
and the day itself) were fetched fine for every outlet unless ``listings=False``
(an imported archive: coverage unknown). Reachability measurements are stored through
the real store (``add_measurement`` + ``add_verdict``), with verdicts as untold's rules
give them (the rule's class, blocking and accessible).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.archives import open_study
from tests.support.archives.small import article
from untold.config import load_study
from untold.models import ListingObservation
from untold.probe.rules import RULES, RULES_VERSION
from untold.probe.verdicts import Verdict
from untold.store import NewArticle, open_store

PER_DAY = 4
DAYS = 30
STOP_DAY = 20  # s1's story output stops here (the event's day)
START = datetime(2026, 2, 1, tzinfo=UTC)
OUTLETS = {"s1": "state", "s2": "", "s3": "", "o1": "", "o2": "", "o3": ""}
# network name: (cc, asn, name)
KG = ("KG", "AS65001", "Example ISP")
KZ = ("KZ", "AS65002", "Another ISP")

STUDY = """
[study]
name = "silence and reachability"
archive = "archive"

{outlets}

[[stories]]
id = "flood"
title = "The flood"
query = "наводнение"
start = 2026-02-01T00:00:00Z
end = {end}

[[events]]
id = "warning"
time = {event}
description = "a warning to state media"
groups = ["state"]
"""

_RULE = {r.id: r for r in RULES}
VERDICTS = {  # state -> the rule that gives it
    "blocked": "tls.reset", "blockpage": "dns.blockpage", "down": "site.down",
    "accessible": "http.accessible", "unknown": "control.failed",
}


def day(n: int, hour: int = 0) -> datetime:
    return START + timedelta(days=n, hours=hour)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(dest: Path, *, listings: bool = True, stop: set[str] | None = None,
          silent: frozenset[str] = frozenset(), days: int = DAYS) -> Path:
    """The archive and its study file; ``stop``: the outlets whose story output stops
    at ``STOP_DAY`` (default: s1); ``silent``: outlets with no story article at all."""
    stop = {"s1"} if stop is None else stop
    dest.mkdir(parents=True, exist_ok=True)
    outlets_toml = "\n".join(
        f'[[outlets]]\nid = "{o}"\nname = "Outlet {o.upper()}"\ndomains = ["{o}.example"]\n'
        f'country = "KZ"\ngroups = [{f"{g!r}" if g else ""}]\n'.replace("'", '"')
        for o, g in OUTLETS.items())
    study, _, store = open_study(dest, STUDY.format(
        outlets=outlets_toml, event=iso(day(STOP_DAY, 9)), end=iso(day(days))))
    n = 0
    for o in OUTLETS:
        batch: list[NewArticle] = []
        for d in range(days):
            story = 0 if (o in stop and d >= STOP_DAY) or o in silent else 2
            for slot in range(PER_DAY):
                n += 1
                when = day(d, 10 + slot)
                text = ("Наводнение в районе." if slot < story else "Погода тёплая.")
                text += f" Материал {n}."
                batch.append(article(store, o, n, when, text))
            if listings:  # the feed answered every day, listing yesterday and today
                at = day(d + 1)
                store.add_listing_observation(ListingObservation(
                    outlet_id=o, url=f"https://{o}.example/feed", kind="feed",
                    fetched_at=at, listed_at=at, ok=True, items=2 * PER_DAY,
                    oldest=day(d - 1), newest=at))
        store.add_articles(batch)
    store.close()
    return study


def measure(study: Path, outlet: str, times: Iterable[datetime], state: str, *,
            source: str = "untold", network: tuple[str, str, str] = KG) -> None:
    """Store a measurement of ``outlet``'s home page at each time, with the verdict
    untold's rules give for ``state`` (see ``VERDICTS``)."""
    rule = _RULE[VERDICTS[state]]
    st = load_study(study)
    store = open_store(st.db_path)
    try:
        for at in times:
            cc, asn, name = network
            summary: dict[str, Any] = {
                "input": f"https://{outlet}.example/", "probe_cc": cc, "probe_asn": asn,
                "probe_network_name": name, "report_id": f"{source}-{cc}",
                "measurement_start_time": iso(at), "test_version": "0.4.3",
                "ooni_blocking": rule.blocking if source == "ooni" else None,
                "ooni_accessible": rule.accessible if source == "ooni" else None}
            m = {"measurement_uid": f"{source}-{outlet}-{cc}-{iso(at)}", **summary}
            mid, _ = store.add_measurement(m, source=source, host=f"{outlet}.example",
                                           outlet_id=outlet, summary=summary)
            store.add_verdict(mid, Verdict(rule.id, RULES_VERSION, rule.blocking,
                                           rule.accessible, rule.cls,
                                           rule.id == "control.failed"))
    finally:
        store.close()


def twice_daily(first: int, last: int) -> list[datetime]:
    """06:00 and 18:00 UTC of days ``first`` to ``last`` (inclusive)."""
    return [day(d, h) for d in range(first, last + 1) for h in (6, 18)]
