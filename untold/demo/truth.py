"""The example's ground truth: what was planted, as a JSON-able dict.

Written beside the example study (``ground_truth.json``) and returned by
``ground_truth(eco)``, so tests and calibration read the same facts. Times
are ISO 8601 UTC; article references carry id, outlet and URL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from untold.demo import scenario as sc
from untold.demo.generator import DemoArticle, Ecosystem
from untold.timeutil import to_iso

__all__ = ["article_url", "ground_truth"]


def article_url(eco: Ecosystem, a: DemoArticle) -> str:
    return eco.outlet(a.outlet_id).base + a.path


def _ref(eco: Ecosystem, a: DemoArticle) -> dict[str, Any]:
    return {"article": a.id, "outlet": a.outlet_id, "url": article_url(eco, a),
            "published": to_iso(a.published)}


def ground_truth(eco: Ecosystem | None = None) -> dict[str, Any]:
    """Everything planted in ``eco`` (default: the example, ``generate()``), and with
    ``patterns=False`` that nothing is."""
    if eco is None:
        from untold.demo.generator import generate

        eco = generate()
    arts = eco.articles
    total = Counter(a.outlet_id for a in arts)
    story = Counter(a.outlet_id for a in arts if a.story)
    fact = Counter(a.outlet_id for a in arts if a.story and a.fact)
    unver = Counter(a.outlet_id for a in arts if a.story and a.unverified)
    after = Counter(a.outlet_id for a in arts if a.story and a.published >= sc.WARNING)
    outlets = {
        o.id: {"name": o.name, "country": o.country, "groups": list(o.groups),
               "languages": [lang for lang, _ in o.languages],
               "articles": total[o.id], "story_articles": story[o.id],
               "story_with_fact": {"nationality": fact[o.id], "unverified": unver[o.id]},
               "story_after_warning": after[o.id],
               "feed": o.feed, "sitemap": o.sitemap, "soft_404": o.soft_404}
        for o in eco.outlets}
    foreign = [o.id for o in eco.outlets if "foreign" in o.groups]
    truth: dict[str, Any] = {
        "seed": eco.seed, "patterns": eco.patterns, "scale": eco.scale,
        "period": {"start": to_iso(sc.START), "end": to_iso(sc.END)},
        "story": {"id": sc.STORY_ID, "title": sc.STORY_TITLE, "query": sc.STORY_QUERY,
                  "facts": dict(sc.FACTS), "break": to_iso(sc.STORY_BREAK)},
        "event": {"id": sc.EVENT_ID, "time": to_iso(sc.WARNING), "groups": ["domestic"],
                  "countries": ["KZ"], "description": sc.EVENT_DESCRIPTION},
        "collect_passes": [to_iso(t) for t in sc.collect_passes()],
        "outlets": outlets,
        "story_articles": [{**_ref(eco, a), "language": a.language, "fact": a.fact,
                            "unverified": a.unverified, "reprint_of": a.reprint_of}
                           for a in arts if a.story],
        "omission": None, "silence": None, "reprints": [], "edits": [], "deletions": [],
        "unreachable": [], "blocking": [], "ooni": [],
        "not_planted": ["fact 'unverified': every outlet states it in "
                        f"{sc.UNVERIFIED_SHARE:.0%} of its story articles",
                        "ordinary news: independent draws per article, no topic trends"],
    }
    if not eco.patterns:
        truth["not_planted"].insert(0, "patterns=False: no omission, silence, reprint, "
                                       "edit, deletion, unreachable or blocked outlet")
        return truth
    truth["omission"] = {"fact": "nationality", "outlets": list(sc.OMITTING),
                         "controls": foreign, "control_share": sc.FACT_SHARE}
    silent = sc.SILENT
    truth["silence"] = {
        "outlet": silent, "event": sc.EVENT_ID, "after": to_iso(sc.WARNING),
        "story_before": story[silent] - after[silent], "story_after": after[silent],
        "articles_after": sum(1 for a in arts
                              if a.outlet_id == silent and a.published >= sc.WARNING),
        "controls": foreign}
    for a in arts:
        if a.reprint_of:
            src = eco.by_id[a.reprint_of]
            truth["reprints"].append({**_ref(eco, a), "kind": a.reprint_kind,
                                      "of": _ref(eco, src), "story": a.story})
        if a.edited_at:
            truth["edits"].append({**_ref(eco, a), "edited_at": to_iso(a.edited_at),
                                   "fact": sc.EDIT.fact, "change": "fact sentence removed"})
        if a.deleted_at:
            truth["deletions"].append({**_ref(eco, a), "deleted_at": to_iso(a.deleted_at),
                                       "kind": a.deletion, "story": a.story})
    oid, since, failure = sc.UNREACHABLE
    truth["unreachable"].append({
        "outlet": oid, "since": to_iso(since), "failure": failure,
        "articles_after": sum(1 for a in arts if a.outlet_id == oid and a.published >= since)})
    truth["blocking"] = blocking_truth()
    truth["ooni"] = ooni_truth()
    truth["not_planted"].append(
        "reachability: every measurement outside the periods under 'blocking' (untold's "
        "probe) and 'ooni' (the bundled OONI data) finds its outlet reachable")
    return truth


def _network(n: sc.Network, source: str) -> dict[str, Any]:
    return {"source": source, "probe_cc": n.cc, "probe_asn": n.asn, "network": n.name,
            "vantage": n.vantage}


def blocking_truth(dns_method: str = "blockpage") -> list[dict[str, Any]]:
    """The periods planted on the probe's network. ``dns_method`` is "nxdomain" where the
    machine has no second loopback address for the block page (the censor's resolver
    then says the name does not exist)."""
    out = []
    for b in sc.BLOCKS:
        kind, cls = b.kind, b.expect_class
        if kind == "dns_blockpage" and dns_method == "nxdomain":
            kind, cls = "dns_nxdomain", "dns_nxdomain"
        inside = [t for t in sc.probe_times() if b.since <= t < b.until]
        out.append({"outlet": b.outlet_id, "kind": kind, "since": to_iso(b.since),
                    "until": to_iso(b.until), "blocking": b.blocking, "expect_class": cls,
                    **_network(sc.PROBE_NETWORK, "untold"), "probes_inside": len(inside),
                    "first_probe": to_iso(inside[0]) if inside else None,
                    "last_probe": to_iso(inside[-1]) if inside else None})
    return out




def ooni_truth() -> list[dict[str, Any]]:
    """The bundled OONI measurements' planted periods (untold's class when re-scored)."""
    # one class per kind, as the probe's planted periods state it (the same rules score both)
    cls = {b.kind: b.expect_class for b in sc.BLOCKS}
    out = []
    for p in sc.OONI_PLAN:
        if p.kind is None or p.block_since is None or p.block_until is None:
            continue
        out.append({"outlet": p.outlet_id, "kind": p.kind, "since": to_iso(p.block_since),
                    "until": to_iso(p.block_until), "blocking": p.kind != "outage",
                    "expect_class": cls[p.kind], **_network(sc.OONI_NETWORK, "ooni")})
    return out
