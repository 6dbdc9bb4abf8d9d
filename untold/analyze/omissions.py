"""Omitted facts: outlets (and groups) that leave out what the others state.

Two rules, both from counts of story articles stating each fact:

* ``omission.outlet``: an outlet's count against its reference outlets' rate
  (those sharing none of its groups, see ``reference_outlets``). When the
  reference outlets agree with each other, one-sided Fisher's exact test (mid-p)
  against their pooled articles; when they differ more than chance allows
  (house styles), the reference is a beta distribution over outlets and the
  p-value the beta-binomial probability of a count this low.
* ``omission.group``: a group of outlets against the rest, Fisher's exact test
  on pooled articles, switched to a dispersion-corrected z-test when outlets
  within the groups disagree more than chance allows.

Both count only the articles that could state the fact: those in a language
the fact has forms in (``StoryData.comparable``). An outlet writing in other
languages is not tested on it, the reference is made of comparable articles
only, and the sentence names the languages compared.
"""

from __future__ import annotations

import math
from collections import defaultdict

from scipy import stats as st

from untold.analyze.findings_data import RuleTest, StoryData
from untold.analyze.stats import (
    beta_binom_lower_tail,
    beta_reference,
    fisher_exact,
    fisher_lower,
    newcombe_diff,
    reference_spread,
    wilson,
)
from untold.analyze.wording import chance, pct
from untold.models.rules import Threshold
from untold.text.scripts import language_list, language_names

__all__ = ["group_partitions", "group_tests", "outlet_tests"]

MIN_OUTLET_ARTICLES = 5  # 1-4 story articles without a fact are not evidence of leaving it out
MIN_REFERENCE_ARTICLES = 10  # a rate from fewer articles is too uncertain to compare against
MIN_REFERENCE_OUTLETS = 3  # the rate of one or two outlets is their house style, not a norm
MIN_REFERENCE_RATE = 0.5  # omission means leaving out what most others state
MAX_SHARE_OF_REFERENCE = 0.5  # the outlet states it at most half as often as the others
MIN_GROUP_ARTICLES = 8  # per side of a group comparison
MIN_GROUP_OUTLETS = 2  # per side: one outlet against the rest is the outlet rule's job
MIN_GROUP_DIFF = 0.2  # 20 points: smaller gaps between groups are editorial noise
MAX_EVIDENCE = 50  # articles attached to one finding

# Each rule's thresholds with why (the rule table's records); the dicts are what each
# test and finding stores.
OUTLET_RULE_THRESHOLDS = (
    Threshold("min_outlet_articles", MIN_OUTLET_ARTICLES,
              "1-4 story articles without a fact are not evidence of leaving it out"),
    Threshold("min_reference_articles", MIN_REFERENCE_ARTICLES,
              "a rate from fewer articles is too uncertain to compare against"),
    Threshold("min_reference_outlets", MIN_REFERENCE_OUTLETS,
              "the rate of one or two outlets is their house style, not a norm"),
    Threshold("min_reference_rate", MIN_REFERENCE_RATE,
              "omission means leaving out what most others state"),
    Threshold("max_share_of_reference", MAX_SHARE_OF_REFERENCE,
              "the outlet states it at most half as often as the others"),
)
GROUP_RULE_THRESHOLDS = (
    Threshold("min_group_articles", MIN_GROUP_ARTICLES, "per side of a group comparison"),
    Threshold("min_group_outlets", MIN_GROUP_OUTLETS,
              "per side: one outlet against the rest is the outlet rule's job"),
    Threshold("min_group_diff", MIN_GROUP_DIFF,
              "20 points: smaller gaps between groups are editorial noise"),
)
OUTLET_THRESHOLDS = {t.name: t.value for t in OUTLET_RULE_THRESHOLDS}
GROUP_THRESHOLDS = {t.name: t.value for t in GROUP_RULE_THRESHOLDS}


def _language_clause(data: StoryData, fid: str, left_out: int, name: str = "") -> str:
    """" Compared among Russian- and Kazakh-language articles ...": which articles
    the comparison used (nothing when the data carry no languages)."""
    if fid not in data.fact_languages:
        return ""
    text = (f" Compared among {language_list(data.compared_languages(fid))} articles, "
            f"the languages “{data.fact_label(fid)}” can be stated in")
    if left_out and name:
        text += f"; {name}'s {left_out} story article(s) in other languages are left out"
    return text + "."


def _not_comparable(data: StoryData, fid: str, oid: str, total: int) -> str:
    """Why an outlet is not tested on a fact: none of its articles could state it."""
    own = sorted({data.language_of(a) for a in data.by_outlet().get(oid, [])})
    langs = sorted(data.fact_languages.get(fid, frozenset()))
    where = (f"has forms only in {language_names(langs)}"
             if langs else "has no form in the languages of the story's articles")
    return (f"{data.outlets[oid].name}'s {total} story article(s) are in "
            f"{language_names(own)}; the fact {where}, so none of them could state it: "
            f"not compared")


def outlet_tests(data: StoryData) -> list[RuleTest]:
    by_outlet = data.by_outlet()
    tests: list[RuleTest] = []
    for fid, hits in sorted(data.fact_hits.items()):
        comp = data.comparable(fid)  # only articles in a language the fact has forms in
        refs = {oid: reference_outlets(data, oid, comp) for oid in comp}
        counts = {o: (sum(1 for a in ids if a in hits), len(ids)) for o, ids in comp.items()}
        stating: dict[str, list[int]] = {}
        for o, ids in comp.items():
            stating[o] = [a for a in ids if a in hits]
        langs = data.compared_languages(fid) if fid in data.fact_languages else None
        betas: dict[tuple[str, ...], tuple[float, float, float]] = {}  # outlets share references
        spread: dict[tuple[str, ...], bool] = {}
        for oid, all_ids in sorted(by_outlet.items()):
            name = data.outlets[oid].name
            ids = comp.get(oid, [])
            if not ids:
                tests.append(RuleTest(
                    kind="omission", rule="omission.outlet", subject=oid, sentence="",
                    p_value=None, thresholds=OUTLET_THRESHOLDS,
                    reason=_not_comparable(data, fid, oid, len(all_ids)),
                    detail={"fact": fid, "query": data.facts[fid], "articles": 0,
                            "languages": sorted(data.fact_languages.get(fid, frozenset()))}))
                continue
            k, n = counts[oid]
            ref_ids = refs[oid]
            ref = [counts[o] for o in ref_ids]
            rk, rn = sum(c[0] for c in ref), sum(c[1] for c in ref)
            base = RuleTest(kind="omission", rule="omission.outlet", subject=oid, sentence="",
                            p_value=None, thresholds=OUTLET_THRESHOLDS,
                            detail={"fact": fid, "query": data.facts[fid], "stating": k,
                                    "articles": n, "reference_stating": rk,
                                    "reference_articles": rn, "reference_outlets": ref_ids,
                                    "languages": langs if langs is not None else [],
                                    "left_out_articles": len(all_ids) - n})
            if n < MIN_OUTLET_ARTICLES:
                base.reason = (f"{name} has {n} story article(s) that could state the fact; "
                               f"at least {MIN_OUTLET_ARTICLES} are needed to tell an "
                               f"omission from chance")
            elif len(ref_ids) < MIN_REFERENCE_OUTLETS:
                base.reason = (f"only {len(ref_ids)} other outlet(s) have story articles that "
                               f"could state the fact; at least {MIN_REFERENCE_OUTLETS} are "
                               f"needed for a norm to compare with")
            elif rn < MIN_REFERENCE_ARTICLES:
                base.reason = (f"the other outlets have only {rn} story articles that could "
                               f"state the fact")
            if base.reason:
                tests.append(base)
                continue
            key = tuple(ref_ids)
            if key not in betas:
                betas[key] = beta_reference(ref)
                spread[key] = reference_spread(ref)
            a, b, pooled = betas[key]
            if spread[key]:  # outlets differ: this outlet's rate is one draw among theirs
                p = beta_binom_lower_tail(k, n, a, b)
                min_p = beta_binom_lower_tail(0, n, a, b)
                base.detail["method"] = "beta_binomial_mid_p"
            else:  # one common rate: the exact conditional comparison with the reference
                p = fisher_lower(k, n, rk, rn)
                min_p = fisher_lower(max(0, k + rk - rn), n, min(rk + k, rn), rn)
                base.detail["method"] = "fisher_exact_one_sided_mid_p"
            d, lo, hi = newcombe_diff(k, n, rk, rn)
            s_lo, s_hi = wilson(k, n)
            base.p_value, base.effect, base.ci_low, base.ci_high = p, d, lo, hi
            base.statistic = float(k - n * pooled)
            base.detail.update(share=k / n, share_ci=[s_lo, s_hi], reference_rate=pooled,
                               min_p=min_p, beta=[a, b])
            base.big_enough = (pooled >= MIN_REFERENCE_RATE
                               and k / n <= MAX_SHARE_OF_REFERENCE * pooled)
            base.sentence = (
                f"{name} published {n} articles on the story; {k} ({pct(k / n)}) state "
                f"“{data.fact_label(fid)}”. The outlets it is compared with "
                f"({_names(data, ref_ids)}) state it in "
                f"{pct(pooled)} of theirs "
                f"({rk} of {rn}). Had {name} stated it as often, a count this low "
                f"would happen {chance(p)}. Difference {d * 100:+.0f} points "
                f"(95 % interval {lo * 100:+.0f} to {hi * 100:+.0f})."
                + _language_clause(data, fid, len(all_ids) - n, name))
            base.evidence = [(a_id, "omits") for a_id in ids if a_id not in hits][:MAX_EVIDENCE]
            base.evidence += [(a_id, "states") for o in ref_ids
                              for a_id in stating.get(o, [])[:1]][:5]
            tests.append(base)
    return tests


def reference_outlets(data: StoryData, oid: str, by_outlet: dict[str, list[int]]) -> list[str]:
    """The outlets an outlet is compared with: those sharing none of its groups (state
    against independent, domestic against foreign), so that outlets like it, which may
    leave out the same fact, do not lower the bar; all other outlets when that leaves
    fewer than ``MIN_REFERENCE_OUTLETS`` outlets or ``MIN_REFERENCE_ARTICLES`` articles."""
    mine = set(data.outlets[oid].groups)
    other = sorted(o for o in by_outlet if o != oid and not mine & set(data.outlets[o].groups))
    if (len(other) >= MIN_REFERENCE_OUTLETS
            and sum(len(by_outlet[o]) for o in other) >= MIN_REFERENCE_ARTICLES):
        return other
    return sorted(o for o in by_outlet if o != oid)


def _names(data: StoryData, ids: list[str], most: int = 4) -> str:
    names = [data.outlets[o].name for o in ids[:most]]
    return ", ".join(names) + (f" and {len(ids) - most} more" if len(ids) > most else "")


def group_partitions(data: StoryData, covered: set[str] | None = None
                     ) -> list[tuple[str, set[str], set[str]]]:
    """(group, its outlets, the other outlets) for each distinct split of the outlets
    ``covered`` (default: those that covered the story); a group and its complement
    are one split."""
    covered = set(data.by_outlet()) if covered is None else covered
    members: dict[str, set[str]] = defaultdict(set)
    for oid in covered:
        for g in data.outlets[oid].groups:
            members[g].add(oid)
    seen: set[frozenset[frozenset[str]]] = set()
    out = []
    for g in sorted(members):
        inside, rest = members[g], covered - members[g]
        key = frozenset({frozenset(inside), frozenset(rest)})
        if not rest or key in seen:
            continue
        seen.add(key)
        out.append((g, inside, rest))
    return out


def _group_named(data: StoryData, members: set[str], covered: set[str]) -> str | None:
    """A group whose outlets among ``covered`` are exactly ``members`` (None: none is)."""
    names = sorted({g for o in members for g in data.outlets[o].groups})
    for g in names:
        if {o for o in covered if g in data.outlets[o].groups} == members:
            return g
    return None


def _dispersion(per_outlet: list[tuple[int, int]], rate: float) -> float:
    """Pearson chi-square per degree of freedom of outlets around their group rate (>= 1)."""
    if len(per_outlet) < 2 or rate in (0.0, 1.0):
        return 1.0
    chi2 = sum((k - n * rate) ** 2 / (n * rate * (1 - rate)) for k, n in per_outlet if n)
    return max(1.0, chi2 / (len(per_outlet) - 1))


def group_tests(data: StoryData) -> list[RuleTest]:
    tests: list[RuleTest] = []
    for fid, hits in sorted(data.fact_hits.items()):
        by_outlet = data.comparable(fid)  # only articles in a language the fact has forms in
        covered = set(by_outlet)
        langs = data.compared_languages(fid) if fid in data.fact_languages else []
        for g, inside, rest in group_partitions(data, covered):
            sides = []
            for members in (inside, rest):
                per = [(sum(1 for a in by_outlet[o] if a in hits), len(by_outlet[o]))
                       for o in sorted(members)]
                sides.append((sum(c[0] for c in per), sum(c[1] for c in per), per))
            (k1, n1, per1), (k2, n2, per2) = sides
            other = _group_named(data, rest, covered)
            if other and n1 and n2 and k1 / n1 > k2 / n2:
                # name the side that states it less: "state outlets leave it out"
                g, inside, rest = other, rest, inside
                (k1, n1, per1), (k2, n2, per2) = sides[1], sides[0]
            t = RuleTest(kind="omission", rule="omission.group", subject=f"group:{g}",
                         sentence="", p_value=None, thresholds=GROUP_THRESHOLDS,
                         detail={"fact": fid, "query": data.facts[fid], "group": g,
                                 "group_stating": k1, "group_articles": n1,
                                 "others_stating": k2, "others_articles": n2,
                                 "group_outlets": sorted(inside), "other_outlets": sorted(rest),
                                 "languages": langs})
            if min(n1, n2) < MIN_GROUP_ARTICLES or min(len(inside), len(rest)) < MIN_GROUP_OUTLETS:
                t.reason = (f"group {g!r} vs the rest: {n1} and {n2} story articles that could "
                            f"state the fact, from {len(inside)} and {len(rest)} outlets; "
                            f"too few to compare")
                tests.append(t)
                continue
            phi = max(_dispersion(per1, k1 / n1), _dispersion(per2, k2 / n2))
            d, lo, hi = newcombe_diff(k1, n1, k2, n2)
            if phi <= 1.0:
                p = fisher_exact(k1, n1, k2, n2)
                t.detail["method"] = "fisher_exact_mid_p"
            else:
                pool = (k1 + k2) / (n1 + n2)
                se = math.sqrt(phi * pool * (1 - pool) * (1 / n1 + 1 / n2))
                p = float(2 * st.norm.sf(abs(d) / se)) if se > 0 else 1.0
                lo, hi = d - (d - lo) * math.sqrt(phi), d + (hi - d) * math.sqrt(phi)
                t.detail["method"] = "quasi_binomial_z"
            t.detail["dispersion"] = phi
            t.detail["min_p"] = min(_extreme_p(k1 + k2, n1, n2, phi))
            t.p_value, t.effect, t.ci_low, t.ci_high = p, d, max(-1.0, lo), min(1.0, hi)
            t.statistic = d
            t.big_enough = abs(d) >= MIN_GROUP_DIFF
            t.sentence = (
                f"Outlets in group “{g}” state “{data.fact_label(fid)}” in {pct(k1 / n1)} "
                f"of their story "
                f"articles ({k1} of {n1}); the other outlets in {pct(k2 / n2)} ({k2} of {n2}). "
                f"Difference {d * 100:+.0f} points (95 % interval {t.ci_low * 100:+.0f} to "
                f"{t.ci_high * 100:+.0f}); a gap this large by chance would happen {chance(p)}."
                + _language_clause(data, fid, 0))
            side = inside if d < 0 else rest
            t.evidence = [(a, "omits") for o in sorted(side) for a in by_outlet[o]
                          if a not in hits][:MAX_EVIDENCE]
            tests.append(t)
    return tests


def _extreme_p(stating: int, n1: int, n2: int, phi: float) -> tuple[float, float]:
    """The p-values of the two most lopsided tables with these margins (Tarone's screen)."""
    lo, hi = max(0, stating - n2), min(n1, stating)
    if phi <= 1.0:
        return fisher_exact(lo, n1, stating - lo, n2), fisher_exact(hi, n1, stating - hi, n2)
    pool = stating / (n1 + n2)
    se = math.sqrt(phi * pool * (1 - pool) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0, 1.0
    p_lo, p_hi = (float(2 * st.norm.sf(abs(k / n1 - (stating - k) / n2) / se)) for k in (lo, hi))
    return p_lo, p_hi
