"""Framing (``framing.log_odds``): day-stratified word comparison between groups.

Real archives (SQLite, the store's own writer) where the rule reads the archive;
the per-word statistics are also checked in memory against hand computations and
brute-force enumeration.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import sparse
from scipy import stats as st

from untold.analyze import framing
from untold.analyze.findings import evaluate
from untold.analyze.findings_data import RuleTest, StoryData, load_story_data
from untold.analyze.framing import log_odds, word_tests
from untold.config import load_study
from untold.models import CaptureRecord, ExtractedArticle, FindingRecord
from untold.store import NewArticle, open_store

pytestmark = pytest.mark.timeout(120)

START = datetime(2026, 5, 1, tzinfo=UTC)
FILLER = ["город", "полиция", "улица", "жители", "машина", "вечер", "район", "здание",
          "дорога", "площадь", "служба", "министерство", "погода", "неделя"]


def _article(store: Any, n: int, outlet: str, when: datetime, text: str) -> None:
    url = f"https://{outlet}.example/{n}"
    cid = store.add_capture(CaptureRecord(
        url=url, outlet_id=outlet, kind="article", fetched_at=when, status=200, failure=None,
        warc_file="a.warc.gz", warc_offset=n, warc_length=1, sha256="00"))
    art = ExtractedArticle(url=url, canonical_url=url, title="Взрыв", text=text, author=None,
                           published=when, language="ru", language_confidence=0.9,
                           text_hash=hashlib.sha256(text.encode()).hexdigest())
    store.add_articles([NewArticle(art, outlet, cid, when, "00")])


Writer = Callable[[str, str, int, int, random.Random], tuple[int, str] | None]


def _archive(dest: Path, outlets: dict[str, str], per_outlet: int, days: int,
             write: Writer, event: str = "") -> Path:
    """A study of ``outlets`` (id -> group) with story "blast" (query взрыв); each outlet
    gets ``per_outlet`` article slots spread evenly over ``days`` days, and
    ``write(outlet, group, k, day, rng)`` returns (day, words) of slot k or None (none)."""
    toml = "[study]\nname = \"framing\"\narchive = \"archive\"\n\n" + "\n".join(
        f'[[outlets]]\nid = "{o}"\nname = "{o}"\ndomains = ["{o}.example"]\n'
        f'groups = ["{g}"]\n' for o, g in outlets.items()) + (
        '\n[[stories]]\nid = "blast"\ntitle = "Blast"\nquery = "взрыв"\n') + event
    (dest / "study.toml").write_text(toml, encoding="utf-8")
    st_ = load_study(dest / "study.toml")
    store = open_store(st_.db_path)
    store.sync_outlets(st_.outlets)
    rng = random.Random(7)
    n = 0
    for i, (o, g) in enumerate(outlets.items()):
        for k in range(per_outlet):
            got = write(o, g, k, k * days // per_outlet, rng)
            if got is None:
                continue
            day, words = got
            n += 1
            when = START + timedelta(days=day, hours=1 + (k * 7 + i) % 22, minutes=i)
            _article(store, n, o, when, f"Взрыв прогремел. {words}. "
                     f"{' '.join(rng.sample(FILLER, 5))}. Заметка {n}.")
    store.close()
    return dest / "study.toml"


def _run(study: Path, by_time: bool = True) -> tuple[list[RuleTest], list[FindingRecord]]:
    st_ = load_study(study)
    store = open_store(st_.db_path)
    try:
        data = load_story_data(store, st_, st_.stories[0], propose=False)
        if not by_time:
            return framing.framing_tests(data, store, by_time=False), []
        result = evaluate(data, store)
    finally:
        store.close()
    tests = [t for t in result.tests if t.rule == "framing.log_odds"]
    return tests, [f for f in result.findings if f.kind == "framing"]


SIX = {"a1": "state", "a2": "state", "a3": "state", "b1": "free", "b2": "free", "b3": "free"}


@pytest.mark.parametrize("planted", [True, False])
def test_planted_words_are_found_with_their_shares_and_nothing_without_them(
        tmp_path: Path, planted: bool) -> None:
    def write(o: str, g: str, k: int, day: int, rng: random.Random) -> tuple[int, str]:
        if planted:
            who = "Террористы" if g == "state" else "Повстанцы"
        else:
            who = rng.choice(["Террористы", "Повстанцы"])
        return day, f"{who} взяли ответственность"

    tests, found = _run(_archive(tmp_path, SIX, 12, 6, write))
    [t] = [t for t in tests if t.p_value is not None]
    assert t.detail["language"] == "ru" and t.detail["strata"] == 6
    if not planted:
        assert found == []
        return
    [f] = found
    group = f.subject.removeprefix("group:")
    mine, theirs = ("террорист", "повстанц") if group == "state" else ("повстанц", "террорист")
    up = {r["term"]: r for r in f.detail["differing_group"]}
    down = {r["term"]: r for r in f.detail["differing_others"]}
    assert set(up) == {mine} and set(down) == {theirs}
    assert up[mine]["articles"] == 36 and up[mine]["other_articles"] == 0
    assert up[mine]["share"] == 1.0 and up[mine]["other_share"] == 0.0
    assert up[mine]["same_day_share"] == 1.0 and up[mine]["outlets"] == 3
    assert up[mine]["differs"] and down[theirs]["differs"]
    roles = {role for _, role in f.evidence}
    assert roles == {f"uses “{mine}”", f"uses “{theirs}”"} and len(f.evidence) == 16
    sentence = f.sentence
    assert (f"“{mine}” (in 100 % of “{group}” articles vs 0 % of the others'; on the same "
            "days 100 % vs 0 %") in sentence
    assert "взрыв" not in up and "взрыв" not in down  # the story's own word is not framing


def test_words_of_the_early_days_are_not_taken_for_a_silent_groups_framing(
        tmp_path: Path) -> None:
    """The state outlets stop covering the story at an event on day 3; everyone writes
    "свидетели"/"пожар" in the first days and "суд"/"расследование" later. Compared over
    the whole window the early words look like the state outlets' framing (the time
    artefact); compared day by day, nothing differs."""
    def write(o: str, g: str, k: int, day: int, rng: random.Random) -> tuple[int, str] | None:
        if g == "state" and day >= 3:
            return None  # silent after the event
        early = ["Свидетели", "Пожар", "Эвакуация"]
        late = ["Суд", "Расследование", "Приговор"]
        words = [w for w in (early if day < 3 else late) if rng.random() < 0.8]
        words += [w for w in (late if day < 3 else early) if rng.random() < 0.05]
        return day, " ".join(words) or "Новости"

    event = ('\n[[events]]\nid = "warning"\ntime = 2026-05-04T00:00:00Z\n'
             'description = "a warning"\ngroups = ["state"]\n')
    study = _archive(tmp_path, SIX, 24, 8, write, event)
    plain, _ = _run(study, by_time=False)
    [t] = [t for t in plain if t.p_value is not None]
    artefact = {r["term"] for r in t.detail["differing_group"] + t.detail["differing_others"]}
    assert t.p_value is not None and t.p_value < 1e-4 and t.big_enough and {"свидетел", "пожар", "суд"} <= artefact
    tests, found = _run(study)
    [t] = [t for t in tests if t.p_value is not None]
    assert t.detail["strata"] == 3 and t.detail["comparable_articles"] == 27
    assert t.detail["differing_group"] == t.detail["differing_others"] == []
    assert found == []


def _data(rows: list[tuple[str, str, set[str]]], groups: dict[str, str],
          events: tuple[tuple[str, datetime], ...] = ()) -> StoryData:
    """A story in memory: (outlet, ISO time, words) per article, words set directly."""
    from untold.config import EventConfig, StoryConfig
    from untold.models import Outlet

    outlets = {o: Outlet(id=o, name=o, domains=(f"{o}.example",), groups=(g,))
               for o, g in groups.items()}
    data = StoryData(
        story=StoryConfig(id="s", title="s", query="взрыв"), start=START,
        end=START + timedelta(days=30), outlets=outlets,
        articles={i + 1: (o, when) for i, (o, when, _) in enumerate(rows)}, exposure={},
        facts={}, fact_hits={},
        events=[EventConfig(id=e, time=t, description=e, groups=["state"]) for e, t in events])
    data.cache[framing.WORDS_KEY] = {i + 1: ("ru", frozenset(ws))
                                     for i, (_, _, ws) in enumerate(rows)}
    return data


def _rows(outlets: dict[str, str], sizes: dict[str, int], uses: dict[str, dict[str, int]],
          days: int = 5) -> list[tuple[str, str, set[str]]]:
    """sizes: articles per outlet; uses: word -> outlet -> how many of them use it; each
    article also gets filler words, each in a third of every outlet's articles (the
    words that do not differ, from which the common spread is estimated)."""
    out = []
    for o in outlets:
        for k in range(sizes[o]):
            words = {f"слово{chr(1072 + j)}" for j in range(20) if (7 * k + j) % 3 == 0}
            words |= {w for w, per in uses.items() if k < per.get(o, 0)}
            when = (START + timedelta(days=k % days, hours=k % 11)).isoformat()
            out.append((o, when.replace("+00:00", "Z"), words))
    return out


def _one_test(data: StoryData) -> RuleTest:
    tests = framing.framing_tests(data)
    assert len(tests) == 1
    return tests[0]


def _row(t: RuleTest, term: str) -> dict[str, float] | None:
    for key in ("top_group", "top_others"):
        for r in t.detail.get(key, []):
            if r["term"] == term:
                return dict(r)
    return None


def test_a_word_one_side_never_uses_ranks_above_a_milder_difference() -> None:
    """The issue's numbers: 30 of 42 state articles and 0 of 143 others scored z = 2.6
    while 69 % against 29 % scored 3.4 (the archive-centred prior's variance exploded
    at the zero). Now the one-sided word ranks first, by the test and by the prior."""
    groups = {"s1": "state", "s2": "state", "s3": "state",
              "f1": "free", "f2": "free", "f3": "free", "f4": "free", "f5": "free"}
    sizes = {"s1": 14, "s2": 14, "s3": 14, "f1": 29, "f2": 29, "f3": 29, "f4": 28, "f5": 28}
    uses = {"нацист": {"s1": 10, "s2": 10, "s3": 10},                      # 30/42 vs 0/143
            "митинг": {"s1": 10, "s2": 10, "s3": 9, "f1": 9, "f2": 8, "f3": 8, "f4": 8,
                       "f5": 8}}                                            # 69 % vs 29 %
    t = _one_test(_data(_rows(groups, sizes, uses), groups))
    group = t.detail["group"]
    one_sided, milder = _row(t, "нацист"), _row(t, "митинг")
    assert one_sided and milder
    sign = 1 if group == "state" else -1
    assert sign * one_sided["z"] > sign * milder["z"] > 4
    assert one_sided["p"] < 1e-15 and one_sided["q"] <= 0.05
    assert (one_sided["articles"], one_sided["other_articles"]) == (
        (30, 0) if group == "state" else (0, 30))
    # Monroe et al.'s prior centred on the comparison's pooled share: finite at the zero
    ya, yb = np.array([30.0, 29.0]), np.array([0.0, 41.0])
    _, z = log_odds(ya, 42, yb, 143, (ya + yb) / 185)
    assert z[0] > z[1] > 3
    # ... where centred on a small archive-wide rate it put the zero last (the old bug)
    _, z_old = log_odds(ya, 42, yb, 143, np.array([0.002, 0.05]), strength=20.0)
    assert z_old[0] < z_old[1]


def test_log_odds_by_hand() -> None:
    # word 1: 10 of 20 articles vs 0 of 20; background 25 %, alpha0 = 8 -> Beta(2, 6)
    delta, z = log_odds(np.array([10.0, 20.0]), 20, np.array([0.0, 20.0]), 20,
                        np.array([0.25, 0.5]), strength=8.0)
    d0 = np.log(12 / (10 + 6)) - np.log(2 / (20 + 6))
    assert delta[0] == pytest.approx(d0)
    assert z[0] == pytest.approx(d0 / np.sqrt(1 / 12 + 1 / 16 + 1 / 2 + 1 / 26))
    # a word every article on both sides uses tells nothing, whatever the side sizes
    assert delta[1] == pytest.approx(0.0) and z[1] == pytest.approx(0.0)


def test_a_word_both_sides_use_at_97_percent_is_never_a_difference() -> None:
    """A one-outlet "group" of 25 articles was reported as differing on a word both sides
    use at ~97 %: the archive-centred prior pulled the small side further. A one-outlet
    side is not compared at all, and with outlets enough the word does not differ."""
    # the old prior: centred on a 1 % archive rate, 24/25 vs 139/143 looked different
    _, z_old = log_odds(np.array([24.0]), 25, np.array([139.0]), 143, np.array([0.01]),
                        strength=20.0)
    assert abs(z_old[0]) > 3
    _, z_new = log_odds(np.array([24.0]), 25, np.array([139.0]), 143,
                        np.array([163 / 168]))
    assert abs(z_new[0]) < 0.5
    one = {"s1": "state", "f1": "free", "f2": "free", "f3": "free", "f4": "free", "f5": "free"}
    sizes = {"s1": 25, "f1": 29, "f2": 29, "f3": 29, "f4": 28, "f5": 28}
    uses = {"власт": {"s1": 24, "f1": 28, "f2": 28, "f3": 28, "f4": 27, "f5": 28}}
    t = _one_test(_data(_rows(one, sizes, uses), one))
    assert t.p_value is None and "house style" in t.reason
    two = {"s1": "state", "s2": "state", **{o: "free" for o in one if o != "s1"}}
    sizes["s2"] = 25
    uses["власт"]["s2"] = 24
    t = _one_test(_data(_rows(two, sizes, uses), two))
    row = _row(t, "власт")
    assert t.p_value is not None and not t.big_enough
    assert row is None or (row["p"] > 0.3 and row["q"] > 0.05)


def test_one_outlets_own_word_is_not_its_groups_framing() -> None:
    """One state outlet writes a word in 24 of its 30 articles, the others in 1-2 of 30:
    its house style, not the group's. The same 27 uses spread over the group's three
    outlets are the group's choice."""
    groups = {"s1": "state", "s2": "state", "s3": "state",
              "f1": "free", "f2": "free", "f3": "free", "f4": "free"}
    sizes = dict.fromkeys(groups, 30)
    style = {"конфликт": {"s1": 24, "s2": 1, "s3": 2, "f1": 2, "f2": 2, "f3": 2, "f4": 2}}
    t = _one_test(_data(_rows(groups, sizes, style), groups))
    row = _row(t, "конфликт")
    assert row is None or row["p"] > 0.01  # left out by Tarone's screen, or far from 0
    assert not t.big_enough and t.detail["differing_group"] == t.detail["differing_others"]
    shared = {"конфликт": {"s1": 9, "s2": 9, "s3": 9, "f1": 2, "f2": 2, "f3": 2, "f4": 2}}
    t = _one_test(_data(_rows(groups, sizes, shared), groups))
    row = _row(t, "конфликт")
    assert row is not None and row["p"] < 1e-4 and row["outlets"] == 3
    assert t.big_enough
    assert [r["term"] for r in t.detail["differing_group"] + t.detail["differing_others"]] \
        == ["конфликт"]


def test_an_event_splits_a_day_into_two_strata() -> None:
    groups = {"s1": "state", "s2": "state", "f1": "free", "f2": "free"}
    rows = [(o, f"2026-05-0{d}T{h:02d}:00:00Z", {"город"}) for o in groups
            for d in (1, 2) for h in (3, 9, 15, 21) for _ in range(3)]
    t = _one_test(_data(rows, groups, (("warning", datetime(2026, 5, 2, 12, tzinfo=UTC)),)))
    assert t.detail["strata"] == 3  # day 1, day 2 before the event, day 2 after it


def test_the_exact_stratified_p_value_is_the_enumerated_one() -> None:
    from untold.analyze.framing_stats import exact_stratified

    na, nb, m = [3, 2, 4, 6], [2, 5, 1, 3], [2, 3, 4, 5]
    dist: dict[int, float] = {}
    for xs in itertools.product(*[range(max(0, k - b), min(a, k) + 1)
                                  for a, b, k in zip(na, nb, m, strict=True)]):
        p = float(np.prod([st.hypergeom.pmf(x, a + b, k, a)
                           for x, a, b, k in zip(xs, na, nb, m, strict=True)]))
        dist[sum(xs)] = dist.get(sum(xs), 0.0) + p
    for t, pt in dist.items():
        lower = sum(v for k, v in dist.items() if k < t) + pt / 2
        p, min_p = exact_stratified(t, np.array(na), np.array(nb), np.array(m))
        assert p == pytest.approx(min(1.0, 2 * min(lower, 1 - lower)), rel=1e-9)
        assert min_p == pytest.approx(min(dist[min(dist)], dist[max(dist)]), rel=1e-9)


def test_word_tests_use_the_strata_margins() -> None:
    """Two strata; the word is used on day 0 only, by everyone, and side A published
    mostly that day: no difference within the days, although the pooled shares differ
    (A 80 %, B 27 %)."""
    # day 0: A 8 articles, B 3, all use it; day 1: A 2, B 8, none use it
    use = [1] * 8 + [1] * 3 + [0] * 2 + [0] * 8
    side = np.array([True] * 8 + [False] * 3 + [True] * 2 + [False] * 8)
    stratum = np.array([0] * 11 + [1] * 10)
    outlet = np.array([0, 1] * 4 + [2, 3, 2] + [0, 1] + [2, 3] * 4)
    x = sparse.csr_matrix(np.array(use, dtype=float)[:, None])
    ws = word_tests(x, side, stratum, outlet, ["пожар"])
    assert ws.p[0] == 1.0 and ws.z[0] == 0.0
    # same-day shares weigh the days as Mantel-Haenszel does (8*3/11 and 2*8/10)
    same_day = (8 * 3 / 11) / (8 * 3 / 11 + 2 * 8 / 10)
    assert ws.share_a[0] == pytest.approx(same_day) == ws.share_b[0]
