"""Ecosystem 2's ground truth, and the judge that holds findings against it.

``ground_truth(eco)`` is a JSON-able dict: every article (URL, language, UTC
time, topic, facts, headline), the planted patterns, the edits and deletions,
the first report of the mine story, and the findings:

* ``required``: findings that must appear (kind, rule, story, subject and, per
  kind, the fact, the event, the framing words or the article's URL);
* ``allowed``: findings that may appear because they restate a planted pattern
  at another level (a group holding an omitting outlet also leaves the fact
  out; the "tragedy" side of the framing split uses "tragedy" more). Each says
  why and how far it may go (which words, which days).

Anything else is a false finding. ``judge(row, truth, url_of)`` returns the key
of the entry a finding row (``untold findings --format json``) matches, or None.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2 import texts
from tests.support.ecosystem2.generator import Ecosystem

__all__ = ["framing_terms", "ground_truth", "judge", "members"]

CHANGE_POINT_DAYS = 3  # a change point within this many days after the warning is the silence


def _iso(t: Any) -> str:
    return t.astimezone(sc.START.tzinfo).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stems(words: list[str]) -> list[str]:
    from untold.text.textindex import index_text  # the archive's own stems, as reported

    return sorted({s for w in words for s in index_text(w).split()})


def ground_truth(eco: Ecosystem) -> dict[str, Any]:
    arts = eco.articles
    total = Counter(a.outlet_id for a in arts)
    topic = {k: Counter(a.outlet_id for a in arts if a.topic == k) for k in ("mine", "hydro")}
    fact = {f: Counter(a.outlet_id for a in arts if f in a.facts_at(sc.START))
            for f in ("violations", "trapped")}
    after = Counter(a.outlet_id for a in arts if a.topic == "mine" and a.published >= sc.WARNING)
    membership: dict[str, list[str]] = {}
    for o in eco.outlets:
        for g in (*o.groups, o.country):
            membership.setdefault(g, []).append(o.id)
    outlets = {
        o.id: {"name": o.name, "country": o.country, "groups": list(o.groups),
               "languages": [lang for lang, _ in o.languages], "timezone": o.tz,
               "articles": total[o.id], "mine": topic["mine"][o.id],
               "hydro": topic["hydro"][o.id], "mine_after_warning": after[o.id],
               "mine_stating": {f: fact[f][o.id] for f in fact},
               "feed": o.feed, "sitemap": o.sitemap, "dates": o.dates,
               "title_format": o.title_format}
        for o in eco.outlets}
    edited = next(a for a in arts if a.edited_at)
    first = min((a for a in arts if a.topic == "mine"), key=lambda a: a.published)
    state_words = _stems(texts.framing_words("state"))
    other_words = _stems(texts.framing_words("other"))
    fact_words = _stems([s for b in texts.BANKS.values() for s in b["mine"]["violations"]])
    warn_day = sc.WARNING.date()
    required = [
        *({"key": f"omission.outlet:{oid}", "kind": "omission", "rule": "omission.outlet",
           "story": "mine", "subject": oid, "fact": "violations"} for oid in sc.OMITTING),
        {"key": "omission.group:state", "kind": "omission", "rule": "omission.group",
         "story": "mine", "subject": "group:state", "fact": "violations"},
        {"key": f"silence.event_outlet:{sc.SILENT}", "kind": "silence",
         "rule": "silence.event_outlet", "story": "mine", "subject": sc.SILENT,
         "event": "warning"},
        {"key": "framing.log_odds:state", "kind": "framing", "rule": "framing.log_odds",
         "story": "mine", "subject": "group:state", "up_any": state_words,
         "up": state_words, "down": sorted({*other_words, *fact_words})},
        {"key": "edit.substantive", "kind": "edit", "rule": "edit.substantive",
         "story": "mine", "subject": sc.EDIT.outlet_id, "url": eco.url(edited)},
        {"key": "edit.fact_removed", "kind": "edit", "rule": "edit.fact_removed",
         "story": "mine", "subject": sc.EDIT.outlet_id, "url": eco.url(edited),
         "fact": sc.EDIT.fact},
        *({"key": f"{d.rule}:{d.outlet_id}", "kind": "deletion", "rule": d.rule,
           "story": "mine", "subject": d.outlet_id,
           "url": eco.url(next(a for a in arts if a.deleted_at == d.at))}
          for d in sc.DELETIONS),
    ]
    allowed = [
        {"key": "omission.group:holding-omitters", "kind": "omission", "rule": "omission.group",
         "story": "mine", "fact": "violations", "contains_any": list(sc.OMITTING),
         "why": "a group holding an omitting outlet states the fact less than the rest"},
        {"key": "silence.event_group:holding-silent", "kind": "silence",
         "rule": "silence.event_group", "story": "mine", "event": "warning",
         "contains_any": [sc.SILENT],
         "why": "the outlets the warning names include the one that went quiet"},
        {"key": "silence.change_point:holding-silent", "kind": "silence",
         "rule": "silence.change_point", "story": "mine", "contains_any": [sc.SILENT],
         "change_days": [warn_day.isoformat(),
                         (warn_day + timedelta(days=CHANGE_POINT_DAYS)).isoformat()],
         "why": "the silent outlet's group loses its share right after the warning"},
        {"key": "framing.log_odds:state-side", "kind": "framing", "rule": "framing.log_odds",
         "story": "mine", "contains_any": list(sc.FRAMING), "up": state_words,
         "down": sorted({*other_words, *fact_words}),
         "why": "a group holding state outlets says 'incident' more, 'tragedy' and the "
                "omitted violations less"},
        {"key": "framing.log_odds:other-side", "kind": "framing", "rule": "framing.log_odds",
         "story": "mine", "contains_none": list(sc.FRAMING),
         "up": sorted({*other_words, *fact_words}), "down": state_words,
         "why": "a group without state outlets says 'tragedy' and the violations more"},
    ]
    return {
        "seed": eco.seed,
        "period": {"start": _iso(sc.START), "end": _iso(sc.END)},
        "stories": {s.id: {"title": s.title, "query": s.query, "start": _iso(s.start),
                           "end": _iso(s.end), "facts": dict(s.facts)}
                    for s in (sc.MINE, sc.HYDRO)},
        "events": [{"id": e, "time": _iso(t), "description": d, "groups": list(g),
                    "countries": list(c)} for e, t, d, g, c in sc.EVENTS],
        "mine_break": _iso(sc.MINE_BREAK),
        "passes": [_iso(t) for t in sc.PASSES],
        "outlets": outlets,
        "members": membership,
        "articles": [{"id": a.id, "outlet": a.outlet_id, "url": eco.url(a),
                      "language": a.language, "published": _iso(a.published),
                      "topic": a.topic, "title": a.title,
                      "facts": sorted(a.facts_at(sc.START))} for a in arts],
        "findings": {"required": required, "allowed": allowed},
        "edits": [{"article": edited.id, "outlet": edited.outlet_id, "url": eco.url(edited),
                   "edited_at": _iso(sc.EDIT.at), "fact": sc.EDIT.fact,
                   "removed": edited.removed}],
        "deletions": [{"article": a.id, "outlet": a.outlet_id, "url": eco.url(a),
                       "deleted_at": _iso(a.deleted_at), "kind": a.deletion,
                       "rule": next(d.rule for d in sc.DELETIONS if d.at == a.deleted_at)}
                      for a in arts if a.deleted_at],
        "first_report": {"story": "mine", "outlet": first.outlet_id, "article": first.id,
                         "url": eco.url(first), "published": _iso(first.published)},
        "planted": {"omitting": list(sc.OMITTING), "omission_share": sc.OMIT_SHARE,
                    "fact_share": sc.FACT_SHARE, "framing": list(sc.FRAMING),
                    "framing_share": sc.FRAMING_SHARE, "silent": sc.SILENT,
                    "framing_words": {"state": state_words, "other": other_words}},
        "quiet_outlets": {"blocked": sc.BLOCKED, "low_volume": sc.LOW_VOLUME,
                          "counters": sc.COUNTERS, "flaky": sc.FLAKY},
        "blocked": {"outlet": sc.BLOCKED, "since": _iso(sc.BLOCK_AT),
                    "how": "connections refused (port bound, not listening)"},
        "outage": {"outlet": sc.FLAKY, "from": _iso(sc.OUTAGE[0]), "to": _iso(sc.OUTAGE[1]),
                   "status": 503},
        "not_planted": [
            "story 'hydro': nothing (same sentence probabilities in every outlet and "
            "language, the same attention curve)",
            "fact 'trapped': every outlet states it in "
            f"{sc.TRAPPED_SHARE:.0%} of its mine articles",
            "event 'signing': no outlet reacts to it differently",
        ],
    }


def members(subject: str, truth: dict[str, Any]) -> set[str]:
    """The outlets a finding's subject names: an outlet id, ``group:g``, or an event's
    ``group:a+B`` (groups and countries together)."""
    if not subject.startswith("group:"):
        return {subject}
    out: set[str] = set()
    for part in subject.removeprefix("group:").split("+"):
        out |= set(truth["members"].get(part, ()))
    return out


_QUOTED = re.compile(r"“([^”]+)”")


def framing_terms(row: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(words more often in the group, words more often elsewhere) that a framing
    finding reports as significant: from its detail when present, else its sentence."""
    detail = row.get("detail") or {}
    if "differing_group" in detail or "differing_others" in detail:
        # the words the finding names: past q and the rule's size and outlet thresholds
        return ([str(r["term"]) if isinstance(r, dict) else str(r)
                 for r in detail.get("differing_group", [])],
                [str(r["term"]) if isinstance(r, dict) else str(r)
                 for r in detail.get("differing_others", [])])
    if "top_group" in detail or "top_others" in detail:
        q = float(detail.get("q_terms", 0.05))

        def sig(rows: list[dict[str, Any]]) -> list[str]:
            return [str(r["term"]) for r in rows if r.get("q") is None or r["q"] <= q]
        return sig(detail.get("top_group", [])), sig(detail.get("top_others", []))
    s = row["sentence"]
    up_part, _, down_part = s.partition("More often elsewhere:")
    up_part = up_part.partition("More often in")[2].partition(":")[2]
    down_part = down_part.partition(". Of ")[0]
    return _QUOTED.findall(up_part), _QUOTED.findall(down_part)


def _matches(entry: dict[str, Any], row: dict[str, Any], truth: dict[str, Any],
             url_of: dict[int, str]) -> bool:
    if (entry["kind"], entry["rule"], entry["story"]) != (row["kind"], row["rule"],
                                                          row["story"]):
        return False
    detail = row.get("detail") or {}
    if "subject" in entry and row["subject"] != entry["subject"]:
        return False
    who = members(row["subject"], truth)
    if "contains_any" in entry and not who & set(entry["contains_any"]):
        return False
    if "contains_none" in entry and who & set(entry["contains_none"]):
        return False
    if "fact" in entry:
        fact = detail.get("fact")
        if fact is None:  # older JSON without detail: the sentence names the fact
            if f"'{entry['fact']}'" not in row["sentence"] and \
                    f"“{entry['fact']}”" not in row["sentence"]:
                return False
        elif fact != entry["fact"]:
            return False
    if "event" in entry and detail.get("event", entry["event"]) != entry["event"]:
        return False
    if "url" in entry and not any(url_of.get(int(a)) == entry["url"]
                                  for a in row.get("evidence", [])):
        return False
    if "change_days" in entry:
        day = detail.get("change_day")
        lo, hi = entry["change_days"]
        if day is None or not lo <= day <= hi:
            return False
    if "up" in entry or "down" in entry or "up_any" in entry:
        up, down = framing_terms(row)
        if "up" in entry and not set(up) <= set(entry["up"]):
            return False
        if "down" in entry and not set(down) <= set(entry["down"]):
            return False
        if "up_any" in entry and not set(up) & set(entry["up_any"]):
            return False
    return True


def judge(row: dict[str, Any], truth: dict[str, Any], url_of: dict[int, str]) -> str | None:
    """The key of the first required, then allowed, entry ``row`` matches; None when the
    finding is not in the ground truth (a false finding)."""
    for entry in (*truth["findings"]["required"], *truth["findings"]["allowed"]):
        if _matches(entry, row, truth, url_of):
            return str(entry["key"])
    return None
