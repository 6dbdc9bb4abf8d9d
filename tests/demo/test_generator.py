"""The example generator: deterministic, patterns present when asked and absent otherwise."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from untold.demo import scenario as sc
from untold.demo.generator import Ecosystem, generate
from untold.demo.truth import ground_truth
from untold.extract import lsh_keys, minhash_signature, similarity
from untold.store.sqlite.store import NEAR_DUP_THRESHOLD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def eco() -> Ecosystem:
    return generate()


@pytest.fixture(scope="module")
def clean() -> Ecosystem:
    return generate(patterns=False)


def _digest(e: Ecosystem) -> str:
    h = hashlib.sha256()
    for a in e.articles:
        h.update(f"{a.id}|{a.path}|{a.published}|{a.title}|{a.text()}".encode())
    return h.hexdigest()


def test_same_seed_same_ecosystem_other_seed_other_texts(eco: Ecosystem) -> None:
    assert _digest(generate()) == _digest(eco)
    other = generate(seed=sc.DEFAULT_SEED + 1)
    assert _digest(other) != _digest(eco)
    assert {a.text() for a in other.articles}.isdisjoint({a.text() for a in eco.articles})
    assert ground_truth(generate()) == ground_truth(eco)


def test_size_languages_and_rates(eco: Ecosystem) -> None:
    assert 2000 <= len(eco.articles) <= 3500
    assert {a.language for a in eco.articles} == {"ru", "kk", "ky", "en"}
    per = Counter(a.outlet_id for a in eco.articles)
    assert per["dalapress"] > 4 * per["ordo"]  # a busy state agency, a small independent
    assert all(sc.START <= a.published < sc.END for a in eco.articles)
    assert len({(a.outlet_id, a.path) for a in eco.articles}) == len(eco.articles)


def test_omission_planted(eco: Ecosystem) -> None:
    truth = ground_truth(eco)
    for oid in sc.OMITTING:
        row = truth["outlets"][oid]
        assert row["story_articles"] >= 8, oid
        assert row["story_with_fact"]["nationality"] == 0, oid
    for oid in truth["omission"]["controls"]:
        row = truth["outlets"][oid]
        assert row["story_with_fact"]["nationality"] >= 0.8 * row["story_articles"], oid


def test_silence_planted_and_output_kept(eco: Ecosystem, clean: Ecosystem) -> None:
    silent = [a for a in eco.of_outlet(sc.SILENT)]
    before = [a for a in silent if a.story and a.published < sc.WARNING]
    assert len(before) >= 4
    assert not [a for a in silent if a.story and a.published >= sc.WARNING]
    # same number of articles after the warning as without the pattern
    after = sum(1 for a in silent if a.published >= sc.WARNING)
    assert after == sum(1 for a in clean.of_outlet(sc.SILENT) if a.published >= sc.WARNING)
    assert sum(1 for a in clean.of_outlet(sc.SILENT) if a.story and a.published >= sc.WARNING)


def test_edit_and_deletions_planted(eco: Ecosystem) -> None:
    truth = ground_truth(eco)
    (edit,) = truth["edits"]
    a = eco.by_id[edit["article"]]
    assert a.published < sc.EARLY_PASS < sc.EDIT.at == a.edited_at
    v1, v2 = a.text(sc.EARLY_PASS), a.text()
    assert len(v2) < len(v1) and a.text(a.edited_at) == v2
    assert ("Казахстана" in v1) and ("Казахстана" not in v2)
    kinds = {d["kind"]: d for d in truth["deletions"]}
    assert set(kinds) == {"http_404", "redirect_home", "soft_404"}
    for d in truth["deletions"]:
        assert d["published"] < sc.EARLY_PASS.isoformat().replace("+00:00", "Z")
    assert truth["unreachable"][0]["outlet"] == sc.UNREACHABLE[0]


def test_reprints_planted_verbatim_or_near(eco: Ecosystem) -> None:
    reps = [a for a in eco.articles if a.reprint_of]
    assert len(reps) >= 20
    kinds = Counter(a.reprint_kind for a in reps)
    assert kinds["verbatim"] and kinds["near"]
    for a in reps:
        src = eco.by_id[a.reprint_of or ""]
        assert src.published < a.published
        if a.reprint_kind == "verbatim":
            assert a.text() == src.text()
        else:
            sim = similarity(minhash_signature(a.text()), minhash_signature(src.text()))
            assert sim >= NEAR_DUP_THRESHOLD


def _near_pairs(e: Ecosystem) -> set[frozenset[str]]:
    """Pairs of articles the archive would link as near-duplicates (its own LSH)."""
    sigs = {a.id: minhash_signature(a.text()) for a in e.articles}
    buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
    for aid, sig in sigs.items():
        for key in lsh_keys(sig):
            buckets[key].append(aid)
    pairs = set()
    for ids in buckets.values():
        for i, x in enumerate(ids):
            for y in ids[i + 1:]:
                if similarity(sigs[x], sigs[y]) >= NEAR_DUP_THRESHOLD:
                    pairs.add(frozenset((x, y)))
    return pairs


@pytest.mark.timeout(120)
def test_no_accidental_near_duplicates(eco: Ecosystem, clean: Ecosystem) -> None:
    planted = {frozenset((a.id, a.reprint_of)) for a in eco.articles if a.reprint_of}
    found = _near_pairs(eco)
    # reprints of one source are also near each other; nothing else is
    assert planted <= found
    for pair in found - planted:
        x, y = (eco.by_id[i] for i in pair)
        assert x.reprint_of and y.reprint_of and x.reprint_of == y.reprint_of, pair
    assert _near_pairs(clean) == set()


def test_patterns_false_has_none(clean: Ecosystem) -> None:
    truth = ground_truth(clean)
    assert truth["omission"] is None and truth["silence"] is None
    assert truth["reprints"] == truth["edits"] == truth["deletions"] == []
    assert truth["unreachable"] == []
    assert not any(a.reprint_of or a.edited_at or a.deleted_at for a in clean.articles)
    for oid, row in truth["outlets"].items():
        n, k = row["story_articles"], row["story_with_fact"]["nationality"]
        assert k == round(n * sc.FACT_SHARE), oid  # the same share everywhere


def test_scale_changes_ordinary_output_only(eco: Ecosystem) -> None:
    small = generate(scale=0.2)
    assert len(small.articles) < 0.4 * len(eco.articles)
    for o in sc.OUTLETS:  # the story keeps its size (a slot may fall past the end)
        n_small = sum(a.story for a in small.of_outlet(o.id))
        n_full = sum(a.story for a in eco.of_outlet(o.id))
        assert abs(n_small - n_full) <= 1, o.id
    with pytest.raises(ValueError):
        generate(scale=0)


def test_collect_passes_see_the_changes_before_they_happen() -> None:
    passes = sc.collect_passes()
    assert passes[-1] == sc.END and sc.EARLY_PASS in passes
    assert all(b - a <= timedelta(days=sc.FEED_DAYS) for a, b in itertools.pairwise(passes))
    assert sc.EARLY_PASS < sc.WARNING < sc.EDIT.at
    assert all(d.at > sc.EARLY_PASS for d in sc.DELETIONS)
    with pytest.raises(ValueError):
        sc.collect_passes(every_days=sc.FEED_DAYS + 1)
