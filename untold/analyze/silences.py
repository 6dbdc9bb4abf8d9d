"""Silences: attention that fell after an event, or changed with no event known.

Attention is normalised: story articles over all articles an outlet (or a
group) published, so an outlet that published less overall is not "silent".

* ``silence.event_group`` / ``silence.event_outlet``: difference in
  differences. Treated = the outlets an event names (by group or country),
  control = the others. The ratio of rate ratios (treated after/before over
  control after/before) is tested exactly: conditional on the 2x2 table's
  margins, the treated-after count follows Fisher's noncentral hypergeometric
  distribution (``stats.did_exact``), so the story's own rise and fall, shared
  by both sides, cancels out. A drop that demonstrably began before the event
  (a placebo change point within the before-window, more than
  ``EVENT_NEAR_DAYS`` days before it) is recorded as ``drop_before_event`` and
  is no finding: "quiet after the event" would be false.
* ``silence.change_point``: no event needed. A group's share of the story's
  articles, day by day; the best single split is found by a binomial
  likelihood ratio and its p-value Bonferroni-corrected for the splits tried.
  Both sides of the split are judged (the group's share and the others',
  1 - share): the finding is reported on the side whose share halved or
  doubled, named by its group when one group is exactly those outlets.
  The nearest known event is named, and the sentence says when none is near.

Collection gaps (``observed``): a test whose subject untold observed on less
than ``observed.MIN_OBSERVED_SHARE`` of the window is not tested; otherwise
outlets observed on too few days are left out of the comparison and only the
days observed for every outlet left are counted, on both sides, so a day an
outlet could not be reached is never read as a day it said nothing. That holds
for a day it was measured blocked or down (``untold.analyze.reachability``) as
much as for a day its listings failed: such a day is not observed, and the
test's detail counts it (``unreachable_count``, ``unreachable_note``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy import stats as st

from untold.analyze.findings_data import RuleTest, StoryData
from untold.analyze.observed import MIN_OBSERVED_SHARE, Restriction
from untold.analyze.omissions import _group_named, group_partitions
from untold.analyze.stats import did_exact
from untold.analyze.wording import chance, pct
from untold.config import EventConfig
from untold.models.rules import Threshold
from untold.timeutil import to_iso

__all__ = ["change_point_tests", "event_tests", "treated_outlets"]

MIN_BEFORE_ARTICLES = 3  # story articles before the event: fewer cannot show a drop
MIN_CONTROL_ARTICLES = 10  # the control's trend must be measured, not guessed
MAX_SILENCE_RATIO = 0.5  # a silence: at most half the attention the control trend predicts
MIN_CHANGE_ARTICLES = 30  # story articles in the series: fewer cannot locate a change
MIN_SEGMENT_DAYS = 3  # days with story articles on each side of a change point
MIN_CHANGE_FACTOR = 2.0  # share must halve or double: smaller moves are daily noise
EVENT_NEAR_DAYS = 2  # a change this close to an event is taken as the event's effect
PRE_TREND_ALPHA = 0.05  # an earlier drop must be significant on its own to veto an event
MAX_EVIDENCE = 50

# Each rule's thresholds with why (the rule table's records); the dicts are what each
# test and finding stores.
_NEAR = Threshold("event_near_days", EVENT_NEAR_DAYS,
                  "a change this close to an event is taken as the event's effect")
_OBSERVED = Threshold("min_observed_share", MIN_OBSERVED_SHARE,
                      "days not observed (not collected, blocked or down) are not silence")
EVENT_RULE_THRESHOLDS = (
    Threshold("min_before_articles", MIN_BEFORE_ARTICLES,
              "story articles before the event: fewer cannot show a drop"),
    Threshold("min_control_articles", MIN_CONTROL_ARTICLES,
              "the control's trend must be measured, not guessed"),
    Threshold("max_silence_ratio", MAX_SILENCE_RATIO,
              "a silence: at most half the attention the control trend predicts"),
    _NEAR,
    Threshold("pre_trend_alpha", PRE_TREND_ALPHA,
              "an earlier drop must be significant on its own to veto an event"),
    _OBSERVED,
)
CHANGE_RULE_THRESHOLDS = (
    Threshold("min_change_articles", MIN_CHANGE_ARTICLES,
              "story articles in the series: fewer cannot locate a change"),
    Threshold("min_segment_days", MIN_SEGMENT_DAYS,
              "days with story articles on each side of a change point"),
    Threshold("min_change_factor", MIN_CHANGE_FACTOR,
              "share must halve or double: smaller moves are daily noise"),
    _NEAR,
    _OBSERVED,
)
EVENT_THRESHOLDS = {t.name: t.value for t in EVENT_RULE_THRESHOLDS}
CHANGE_THRESHOLDS = {t.name: t.value for t in CHANGE_RULE_THRESHOLDS}


def treated_outlets(data: StoryData, ev: EventConfig) -> set[str]:
    groups, countries = set(ev.groups), {c.upper() for c in ev.countries}
    return {o.id for o in data.outlets.values()
            if groups & set(o.groups) or (o.country and o.country.upper() in countries)}


def _cells(data: StoryData, ev: EventConfig, outlets: set[str],
           cells: dict[str, frozenset[str]] | None = None) -> tuple[
        int, int, int, int, list[int], list[int]]:
    """(after, before) story articles, (after, before) all articles, and the ids; with
    ``cells``, each outlet on its days only."""
    cut = to_iso(ev.time) or ""
    if cells is None or data.observed is None:
        split = data.exposure.get(ev.id, {})
        ea = sum(split.get(o, (0, 0))[0] for o in outlets)
        eb = sum(split.get(o, (0, 0))[1] for o in outlets)
    else:
        ea, eb = data.observed.exposure(ev.id, cut[:10], outlets, cells)
    by_outlet = data.by_outlet()
    mine = sorted(a for o in outlets for a in by_outlet.get(o, ())
                  if cells is None or data.articles[a][1][:10] in cells[o])
    after_ids = [a for a in mine if data.articles[a][1] >= cut]
    before_ids = [a for a in mine if data.articles[a][1] < cut]
    return len(after_ids), len(before_ids), ea, eb, after_ids, before_ids


def _unobserved_reason(label: str, share: float, n_days: int, unreachable: int = 0) -> str:
    lost = (f"; on {unreachable} of the days missing it could not be reached at all "
            f"(blocked or down, per reachability measurements), so what it did not publish "
            f"then is no silence" if unreachable else "")
    return (f"not tested: only {pct(share)} of the window observed ({label}: about "
            f"{round(share * n_days)} of {n_days} days were covered by a feed, sitemap or home "
            f"page that answered; at least {pct(MIN_OBSERVED_SHARE)} are needed, since "
            f"articles of the days missing were never collected{lost})")


def _event_test(data: StoryData, ev: EventConfig, rule: str, subject: str, label: str,
                treated: set[str], control: set[str]) -> RuleTest:
    cov = data.observed
    named = sorted(treated)
    r: Restriction | None = (cov.restrict(treated, control, _utc_day(ev.time))
                             if cov is not None else None)
    if r is not None:
        treated, control = r.treated, r.control
    cells = None if r is None or r.full else r.cells
    a, b, ea, eb, a_ids, b_ids = _cells(data, ev, treated, cells)
    c, d, ec, ed, c_ids, d_ids = _cells(data, ev, control, cells)
    cut = _utc_day(ev.time, 16).replace("T", " ")
    t = RuleTest(kind="silence", rule=rule, subject=subject, sentence="", p_value=None,
                 thresholds=EVENT_THRESHOLDS,
                 detail={"event": ev.id, "event_time": ev.time.isoformat(),
                         "treated_after": a, "treated_before": b, "control_after": c,
                         "control_before": d, "treated_total_after": ea,
                         "treated_total_before": eb, "control_total_after": ec,
                         "control_total_before": ed, "control_outlets": sorted(control)})
    t.detail.update(cov.detail(named, r) if cov is not None else
                    {"coverage": "unknown", "observed_share": None})
    if r is not None and r.share is not None and r.share < MIN_OBSERVED_SHARE:
        assert cov is not None
        t.reason = _unobserved_reason(label, r.share, len(data.days),
                                      cov.unreachable_count(named))
    elif not treated:
        t.reason = (f"not tested: every outlet of {label} was observed on less than "
                    f"{pct(MIN_OBSERVED_SHARE)} of the window")
    elif b < MIN_BEFORE_ARTICLES:
        t.reason = (f"{label} had {b} story article(s) before “{ev.id}”; at least "
                    f"{MIN_BEFORE_ARTICLES} are needed, so the data cannot tell")
    elif c + d < MIN_CONTROL_ARTICLES or min(ea, eb, ec, ed) == 0:
        t.reason = (f"the comparison outlets have {c + d} story articles (or a period "
                    f"without any output); the data cannot tell")
    if t.reason:
        return t
    res = did_exact(a, b, c, d, ea, eb, ec, ed)
    min_p = did_exact(0, a + b, c, d, ea, eb, ec, ed, interval=False).p_value
    t.p_value, t.effect, t.ci_low, t.ci_high = res.p_value, res.ratio, res.ci_low, res.ci_high
    t.statistic = float(a - res.expected_after)
    t.big_enough = not math.isnan(res.ratio) and res.ratio <= MAX_SILENCE_RATIO
    t.detail.update(min_p=min_p, expected_after=res.expected_after,
                    share_before=b / eb, share_after=a / ea,
                    control_share_before=d / ed, control_share_after=c / ec)
    t.sentence = (
        f"After “{ev.description or ev.id}” ({cut} UTC), {label} published {a} story articles "
        f"({pct(a / ea)} of all it published, before: {b}, {pct(b / eb)}); the other "
        f"outlets went "
        f"from {pct(d / ed)} to {pct(c / ec)}. Following their trend it would have "
        f"published about {res.expected_after:.0f}. Attention relative to the others: "
        f"{res.ratio:.2f} (95 % interval {res.ci_low:.2f} to {res.ci_high:.2f}); a drop "
        f"this large by chance would happen {chance(res.p_value)}.")
    pre = _drop_before(data, ev, b_ids + a_ids, d_ids + c_ids) if t.big_enough else None
    if pre is not None:
        t.detail["drop_before_event"] = pre
        t.sentence += (
            f" But the drop began before the event: {label}'s share of the story's articles "
            f"fell on {pre['day']}, {pre['days_before_event']} days before it, from "
            f"{pct(pre['share_before'])} to {pct(pre['share_after'])} against the other "
            f"outlets (by chance {chance(pre['p_value'])}), so it is not a silence after "
            f"the event.")
    if cov is not None:
        t.sentence += " " + cov.phrase(label, named, r)
    t.evidence = ([(i, "before") for i in b_ids][:MAX_EVIDENCE // 2]
                  + [(i, "after") for i in a_ids][:MAX_EVIDENCE // 2]
                  + [(i, "control_after") for i in c_ids][:5])
    return t


def _drop_before(data: StoryData, ev: EventConfig, treated_ids: list[int],
                 control_ids: list[int]) -> dict[str, Any] | None:
    """A drop of the treated outlets that began before the event, or None.

    The treated outlets' share of the story's articles (treated and control together,
    so the story's shared rise and fall cancels), day by day; its best single split
    (binomial likelihood ratio, Bonferroni over the splits tried, as
    ``silence.change_point``) is located twice: within the before-window alone (a
    placebo test: was there a drop before the event at all?) and over the whole window
    (where did the drop happen?). The drop counts as begun before the event when a
    split lies more than ``EVENT_NEAR_DAYS`` days before the event's day, is
    significant at ``PRE_TREND_ALPHA`` and falls at least as far as a silence
    (``MAX_SILENCE_RATIO``): then "quiet after the event" would be false."""
    ev_day = _utc_day(ev.time)
    for days in ([d for d in data.days if d < ev_day], list(data.days)):
        pos_of = {d: i for i, d in enumerate(days)}
        y = np.zeros(len(days), dtype=int)
        n = np.zeros(len(days), dtype=int)
        for ids, treated in ((treated_ids, True), (control_ids, False)):
            for a in ids:
                i = pos_of.get(data.articles[a][1][:10])
                if i is not None:
                    n[i] += 1
                    y[i] += treated
        if (n > 0).sum() < 2 * MIN_SEGMENT_DAYS:
            continue
        pos, lr, tried = _best_split(y, n)
        if pos < 0:
            continue
        y1, n1, y2, n2 = int(y[:pos].sum()), int(n[:pos].sum()), int(y[pos:].sum()), \
            int(n[pos:].sum())
        p = min(1.0, tried * float(st.chi2.sf(lr, 1)))
        s1, s2 = y1 / n1, y2 / n2
        lead = (datetime.fromisoformat(ev_day) - datetime.fromisoformat(days[pos])).days
        if (lead > EVENT_NEAR_DAYS and p <= PRE_TREND_ALPHA and s1 > 0
                and s2 / s1 <= MAX_SILENCE_RATIO):
            return {"day": days[pos], "days_before_event": lead, "share_before": s1,
                    "share_after": s2, "ratio": s2 / s1, "p_value": p,
                    "splits_tried": tried, "window": "before" if days[-1] < ev_day else "all",
                    "treated_before": y1, "all_before": n1, "treated_after": y2,
                    "all_after": n2}
    return None


def _utc_day(dt: datetime, chars: int = 10) -> str:
    """"YYYY-MM-DD" (or with ``chars=13`` "YYYY-MM-DDTHH") of a time, in UTC."""
    iso = to_iso(dt)
    assert iso is not None
    return iso[:chars]


def event_tests(data: StoryData, level: str = "group") -> list[RuleTest]:
    """DiD tests of each event: for the named outlets together (``level="group"``)
    or for each named outlet alone (``level="outlet"``)."""
    tests: list[RuleTest] = []
    for ev in data.events:
        producing = {o for o, (na, nb) in data.exposure.get(ev.id, {}).items() if na + nb}
        ev_time = ev.time if ev.time.tzinfo else ev.time.replace(tzinfo=UTC)
        if not data.start < ev_time < data.end:
            continue  # outside the story's window: nothing before or after to compare
        named = "+".join([*ev.groups, *ev.countries])
        treated = treated_outlets(data, ev) & producing
        control = producing - treated
        if level == "group" and not ev.groups and not ev.countries:
            tests.append(RuleTest("silence", "silence.event_group", f"event:{ev.id}", "", None,
                                  reason=f"event {ev.id!r} names no group or country, so there "
                                  "is no untreated comparison: the data cannot tell",
                                  thresholds=EVENT_THRESHOLDS))
            continue
        if level == "outlet" and (not treated or not control):
            continue
        if not treated or not control:
            tests.append(RuleTest("silence", "silence.event_group", f"group:{named}", "", None,
                                  reason=f"event {ev.id!r}: no {'named' if not treated else 'other'}"
                                  " outlets published in the window; the data cannot tell",
                                  thresholds=EVENT_THRESHOLDS))
            continue
        if level == "group":
            tests.append(_event_test(data, ev, "silence.event_group", f"group:{named}",
                                     f"the group the event names ({named})", treated,
                                     control))
            continue
        group_pre: dict[str, Any] | None = None
        by_outlet = data.by_outlet()
        for oid in sorted(treated):
            t = _event_test(data, ev, "silence.event_outlet", oid, data.outlets[oid].name,
                            {oid}, control)
            if t.p_value is not None and t.big_enough and "drop_before_event" not in t.detail:
                # one outlet rarely has the articles to show its own earlier drop; when
                # the outlets the event names fell together before it, the outlet's
                # drop is not shown to follow the event either
                if group_pre is None:
                    group_pre = _drop_before(
                        data, ev, [a for o in sorted(treated) for a in by_outlet.get(o, ())],
                        [a for o in sorted(control) for a in by_outlet.get(o, ())]) or {}
                if group_pre:
                    t.detail["drop_before_event"] = {**group_pre, "of": "named_outlets"}
                    t.sentence += (
                        f" But the outlets the event names, together, were already falling "
                        f"on {group_pre['day']}, {group_pre['days_before_event']} days before "
                        f"it (by chance {chance(group_pre['p_value'])}), so this drop is not "
                        f"shown to follow the event.")
            tests.append(t)
    return tests


def _best_split(y: np.ndarray, n: np.ndarray) -> tuple[int, float, int]:
    """(index of the first day after the split, likelihood ratio, splits tried)."""
    idx = np.flatnonzero(n > 0)
    yy, nn = y[idx].astype(float), n[idx].astype(float)
    cy, cn = np.cumsum(yy), np.cumsum(nn)
    ty, tn = cy[-1], cn[-1]

    def ll(k: np.ndarray, m: np.ndarray) -> np.ndarray:
        p = np.where(m > 0, k / np.maximum(m, 1), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.nan_to_num(k * np.log(p)) + np.nan_to_num((m - k) * np.log1p(-p))

    splits = np.arange(MIN_SEGMENT_DAYS, len(idx) - MIN_SEGMENT_DAYS + 1)
    if len(splits) == 0:
        return -1, 0.0, 0
    k1, m1 = cy[splits - 1], cn[splits - 1]
    lr = 2 * (ll(k1, m1) + ll(ty - k1, tn - m1) - ll(np.array([ty]), np.array([tn])))
    best = int(np.argmax(lr))
    return int(idx[splits[best]]), float(lr[best]), len(splits)


def change_point_tests(data: StoryData) -> list[RuleTest]:
    tests: list[RuleTest] = []
    cov = data.observed
    covered = set(data.by_outlet())
    # one series for every split: the outlets observed on enough of the window, on the
    # days observed for all of them (a gap in one outlet would move every group's share)
    r = cov.common(covered) if cov is not None else None
    keep = r.treated if r is not None else covered
    day_pos = {d: i for i, d in enumerate(data.days)
               if r is None or r.full or d in r.days}
    n = np.zeros(len(data.days), dtype=int)
    per_outlet: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(data.days), dtype=int))
    for o, h in data.articles.values():
        d = h[:10]
        if d in day_pos and o in keep:
            n[day_pos[d]] += 1
            per_outlet[o][day_pos[d]] += 1
    for g, inside, rest in group_partitions(data):
        y = sum((per_outlet[o] for o in inside), np.zeros(len(data.days), dtype=int))
        t = RuleTest("silence", "silence.change_point", f"group:{g}", "", None,
                     thresholds=CHANGE_THRESHOLDS, detail={"group": g})
        share = cov.share(inside) if cov is not None else None
        if cov is not None:
            t.detail.update(cov.detail(sorted(inside), r))
        else:
            t.detail.update(coverage="unknown", observed_share=None)
        if cov is not None and share is not None and share < MIN_OBSERVED_SHARE:
            t.reason = _unobserved_reason(f"group “{g}”", share, len(data.days),
                                          cov.unreachable_count(inside))
            tests.append(t)
            continue
        if not inside & keep or not rest & keep:
            t.reason = (f"not tested: the outlets of group “{g}” or all the others were "
                        f"observed on less than {pct(MIN_OBSERVED_SHARE)} of the window")
            tests.append(t)
            continue
        if n.sum() < MIN_CHANGE_ARTICLES or (n > 0).sum() < 2 * MIN_SEGMENT_DAYS:
            t.reason = (f"{int(n.sum())} story articles on {int((n > 0).sum())} days: too few "
                        "to locate a change; the data cannot tell")
            tests.append(t)
            continue
        pos, lr, tried = _best_split(y, n)
        p = min(1.0, tried * float(st.chi2.sf(lr, 1)))  # the same for both sides
        day = data.days[pos]
        near = _nearest_event(data, day)
        # the split has two sides and the rule judges both: when the others' share falls
        # to a quarter, the group's share rises only ~1.6 times, so judging the group's
        # side alone would miss the change; report it on the side that moved by the factor
        sides = [(g, inside, f"group “{g}”", y)]
        other = _group_named(data, rest, inside | rest)
        sides.append((other or f"{g}-others", rest,
                      f"group “{other}”" if other else f"the outlets outside group “{g}”",
                      n - y))
        moves = [_side_change(yy, n, pos) for _, _, _, yy in sides]
        pick = 0
        if (not _enough(moves[0][0]) and _enough(moves[1][0])) or (
                _enough(moves[1][0]) and abs(moves[1][1]) > abs(moves[0][1])):
            pick = 1
        name, members, label, ys = sides[pick]
        ratio, log_r, se = moves[pick]
        y1, n1 = int(ys[:pos].sum()), int(n[:pos].sum())
        y2, n2 = int(ys[pos:].sum()), int(n[pos:].sum())
        s1, s2 = y1 / n1, y2 / n2
        if pick:
            t.subject = f"group:{name}"
            t.detail.update(side="others", group_outlets=sorted(members & keep))
        else:
            t.detail["side"] = "group"
        t.p_value, t.statistic, t.effect = p, lr, math.exp(log_r)  # finite even from 0
        t.detail["raw_ratio"] = ratio if math.isfinite(ratio) else None
        t.detail["other_side_ratio"] = (moves[1 - pick][0]
                                        if math.isfinite(moves[1 - pick][0]) else None)
        mine = sorted((h, a) for a, (o, h) in data.articles.items()
                      if o in members & keep and h[:10] in day_pos)
        t.evidence = ([(a, "before") for h, a in mine if h[:10] < day][-MAX_EVIDENCE // 2:]
                      + [(a, "after") for h, a in mine if h[:10] >= day][:MAX_EVIDENCE // 2])
        t.ci_low, t.ci_high = math.exp(log_r - 1.96 * se), math.exp(log_r + 1.96 * se)
        t.big_enough = _enough(ratio)
        t.detail.update(change_day=day, share_before=s1, share_after=s2, splits_tried=tried,
                        nearest_event=near[0] if near else None,
                        days_from_event=near[1] if near else None)
        where = (f"The nearest known event, “{near[0]}”, is {abs(near[1])} day(s) "
                 f"{'before' if near[1] >= 0 else 'after'} it." if near else
                 "No known event is near it.")
        if near and abs(near[1]) <= EVENT_NEAR_DAYS:
            # the event's own rule (DiD) tests this change; a rise is the mirror of
            # the named outlets' drop, since shares of one story sum to one
            t.detail["explained_by_event"] = near[0]
        share_of = (f"The share of {label} in the story’s articles" if pick and not other
                    else f"{label[0].upper()}{label[1:]}’s share of the story’s articles")
        t.sentence = (
            f"{share_of} changed on {day}: {pct(s1)} before "
            f"({y1} of {n1}), {pct(s2)} after ({y2} of {n2}), {t.effect:.2f} times "
            f"(95 % interval {t.ci_low:.2f} to {t.ci_high:.2f}). {where} A change this large "
            f"anywhere in the series would happen by chance {chance(p)}.")
        if cov is not None:
            t.sentence += " " + cov.phrase(label, sorted(members), r)
        tests.append(t)
    return tests


def _enough(ratio: float) -> bool:
    """A share that at least halved or doubled (``MIN_CHANGE_FACTOR``)."""
    return ratio <= 1 / MIN_CHANGE_FACTOR or ratio >= MIN_CHANGE_FACTOR


def _side_change(y: np.ndarray, n: np.ndarray, pos: int) -> tuple[float, float, float]:
    """(raw after/before ratio of one side's share, its smoothed log, that log's standard
    error) at a split; the +.5 keeps both finite when a side published nothing."""
    y1, n1, y2, n2 = float(y[:pos].sum()), float(n[:pos].sum()), float(y[pos:].sum()), \
        float(n[pos:].sum())
    s1, s2 = y1 / n1, y2 / n2
    ratio = (s2 / s1) if s1 > 0 else math.inf
    log_r = math.log((y2 + .5) / (n2 + .5)) - math.log((y1 + .5) / (n1 + .5))
    se = math.sqrt(1 / (y1 + .5) - 1 / (n1 + .5) + 1 / (y2 + .5) - 1 / (n2 + .5))
    return ratio, log_r, se


def _nearest_event(data: StoryData, day: str) -> tuple[str, int] | None:
    best: tuple[str, int] | None = None
    d0 = datetime.fromisoformat(day).date()
    for ev in data.events:
        diff = (d0 - datetime.fromisoformat(_utc_day(ev.time)).date()).days
        if best is None or abs(diff) < abs(best[1]):
            best = (ev.id, diff)
    return best
