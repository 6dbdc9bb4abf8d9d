"""Framing: the words one group of outlets uses for a story and the others avoid.

Monroe, Colaresi & Quinn (2008), "Fightin' Words", log-odds ratio with an
informative Dirichlet prior: the prior is the whole archive's word frequency
(FTS5's own vocabulary, so no text is re-read), which shrinks rare words
towards "no difference" instead of letting a word used twice top the list.
Words are Snowball stems (the index's own, ``store.textindex``), counted once
per article (a word repeated in one article is one article's choice, not
many), within one language at a time (Kazakh against Russian words would
only show who writes in which language), without per-language stop words,
the words of the story's query and facts (the other rules measure those),
numbers, or words fewer than ``MIN_TERM_OUTLETS`` outlets use (one outlet's
boilerplate).

One test per group split and language enters the run's multiplicity correction: Simes'
combination of the words' p-values ("does any word differ?"); when it holds,
the words that differ are those passing Benjamini–Hochberg within the split.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats as st

from untold.analyze.findings_data import RuleTest, StoryData
from untold.analyze.omissions import group_partitions
from untold.analyze.stats import benjamini_hochberg, simes
from untold.store.textindex import index_text, tokenize

__all__ = ["STOP_WORDS", "framing_tests", "log_odds"]

PRIOR_STRENGTH = 20.0  # pseudo-articles of archive-wide usage added to each side
MIN_TERM_OUTLETS = 2  # on the side that favours the word: one outlet's word is its style
MIN_FRAMING_ARTICLES = 20  # per side: fewer articles cannot show a choice of words
MAX_FRAMING_ARTICLES = 2000  # per side, read in turn from each outlet: bounds the time
TOP_TERMS = 10  # words listed each way
BOILERPLATE_SAMPLE = 30  # an outlet's latest articles off the story, read to learn its template
BOILERPLATE_MIN = 10  # fewer of them cannot tell a template word from a common one
BOILERPLATE_SHARE = 0.9  # a word in this share of them is the site's template ("views: 312")
Q_TERMS = 0.05  # false discovery rate for the words within a split

THRESHOLDS = {"prior_strength": PRIOR_STRENGTH, "min_term_outlets": MIN_TERM_OUTLETS,
              "min_framing_articles": MIN_FRAMING_ARTICLES, "q_terms": Q_TERMS,
              "boilerplate_share": BOILERPLATE_SHARE}

_STOP_RAW = {
    "ru": "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по "
          "только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если "
          "уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей "
          "может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз "
          "тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом "
          "один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец "
          "два об другой хоть после над больше тот через эти нас про всего них какая много "
          "разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой "
          "им более всегда конечно всю между также это также году года заявил сообщил",
    "en": "a about above after again against all am an and any are as at be because been "
          "before being below between both but by can did do does doing down during each few "
          "for from further had has have having he her here hers him his how i if in into is "
          "it its itself just me more most my no nor not now of off on once only or other our "
          "out over own same she should so some such than that the their them then there these "
          "they this those through to too under until up very was we were what when where which "
          "while who whom why will with you your said says also would could one two new",
    "kk": "және мен да де бен пен ол бұл сол осы үшін деп еді болды бар жоқ та те",
    "ky": "жана менен да де бул ал ошол үчүн деп эле болду бар жок",
}


def _stop_stems() -> frozenset[str]:
    return frozenset(s for words in _STOP_RAW.values() for s in index_text(words).split())


STOP_WORDS = _STOP_RAW  # per language, as written (stems are derived on use)


@dataclass(frozen=True)
class TermRow:
    term: str               # Snowball stem
    z: float                # > 0: the group uses it more
    log_odds: float
    q: float                # BH within the split
    articles: int           # group's story articles using it
    other_articles: int


def log_odds(ya: np.ndarray, na: float, yb: np.ndarray, nb: float, rate: np.ndarray,
             strength: float = PRIOR_STRENGTH) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio delta and its z-score per word, with an informative prior.

    Monroe et al. (2008) model token counts with a Dirichlet prior over the
    vocabulary; counted once per article, each word is a binomial draw per article
    and the Dirichlet becomes one Beta(strength * rate, strength * (1 - rate)) per
    word, ``rate`` being the share of the archive's articles that use it:
    delta = logit((ya + a) / (na + s)) - logit((yb + a) / (nb + s)),
    var(delta) ~ 1/(ya + a) + 1/(na - ya + b) + 1/(yb + a) + 1/(nb - yb + b).
    """
    a = strength * rate
    b = strength * (1.0 - rate)
    da = np.log((ya + a) / (na - ya + b))
    db = np.log((yb + a) / (nb - yb + b))
    delta = da - db
    var = 1.0 / (ya + a) + 1.0 / (na - ya + b) + 1.0 / (yb + a) + 1.0 / (nb - yb + b)
    return delta, delta / np.sqrt(var)


def _archive_prior(conn: sqlite3.Connection, terms: Sequence[str]) -> np.ndarray:
    """Documents in the whole archive holding each stem (FTS5's vocabulary table)."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.untold_vocab "
                 "USING fts5vocab(main, 'articles_fts', 'row')")
    out = np.zeros(len(terms))
    for i, term in enumerate(terms):
        row = conn.execute("SELECT doc FROM temp.untold_vocab WHERE term = ?",
                           (term,)).fetchone()
        out[i] = float(row[0]) if row else 0.0
    return out


def _stems_by_article(conn: sqlite3.Connection,
                      ids: list[int]) -> dict[int, tuple[str, set[str]]]:
    """(language, set of stems) of each article."""
    out: dict[int, tuple[str, set[str]]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for aid, lang, title, text in conn.execute(
                "SELECT id, language, title, text FROM articles WHERE id IN "
                f"({','.join('?' * len(chunk))})", chunk):
            out[int(aid)] = (str(lang), set(index_text(f"{title} {text}").split()))
    return out


def _skip_filter(data: StoryData) -> Callable[[str], bool]:
    """True for stems not to compare: stop words, numbers, short stems, and the words
    of the story's query and facts (their use is what the other rules measure)."""
    stop = _stop_stems()
    words = " ".join(tokenize(" ".join([data.story.query, *data.facts.values()])))
    own = {w for w in index_text(words).split() if len(w) >= 3}

    seen: dict[str, bool] = {}

    def skip(stem: str) -> bool:
        if stem in seen:
            return seen[stem]
        out = stem in stop or len(stem) < 3 or not stem.isalpha() or any(
            # query words are prefixes (казахстан* reaches казахстанск): compare by prefix
            stem.startswith(w) or (len(stem) >= 4 and w.startswith(stem)) for w in own)
        seen[stem] = out
        return out
    return skip


def _boilerplate(conn: sqlite3.Connection, data: StoryData,
                 outlets: set[str]) -> dict[str, set[str]]:
    """Each outlet's template words (counters, bylines, footers the extractor kept),
    learnt from its articles that are not on the story: they differ by site, not by
    framing, and would otherwise set groups apart."""
    story = set(data.articles)
    out: dict[str, set[str]] = {}
    for oid in sorted(outlets):
        ids = [int(r[0]) for r in conn.execute(
            "SELECT id FROM articles WHERE outlet_id = ? ORDER BY id DESC LIMIT ?",
            (oid, BOILERPLATE_SAMPLE + len(story)))
            if int(r[0]) not in story][:BOILERPLATE_SAMPLE]
        if len(ids) < BOILERPLATE_MIN:
            continue
        df = Counter[str]()
        for _, words in _stems_by_article(conn, ids).values():
            df.update(words)
        out[oid] = {w for w, n in df.items() if n >= BOILERPLATE_SHARE * len(ids)}
    return out


def _sample(by_outlet: dict[str, list[int]], members: set[str]) -> list[int]:
    queues = [list(by_outlet[o]) for o in sorted(members) if o in by_outlet]
    picked: list[int] = []
    while len(picked) < MAX_FRAMING_ARTICLES and any(queues):
        for q in queues:
            if q and len(picked) < MAX_FRAMING_ARTICLES:
                picked.append(q.pop(0))
    return picked


def framing_tests(data: StoryData, conn: sqlite3.Connection) -> list[RuleTest]:
    """One test per group split and language (words are compared within a language)."""
    by_outlet = data.by_outlet()
    parts = group_partitions(data)
    if not parts:
        return []
    skip = _skip_filter(data)
    samples = {g: (_sample(by_outlet, inside), _sample(by_outlet, rest))
               for g, inside, rest in parts}
    needed = sorted({a for s in samples.values() for side in s for a in side})
    # a template word of any site is left out everywhere: dropped only where a site is
    # big enough to learn its template, it would set that site's group apart the other way
    template = set().union(*_boilerplate(conn, data, {data.articles[a][0] for a in needed})
                           .values())
    stems = {a: (lang, {w for w in words if not skip(w) and w not in template})
             for a, (lang, words) in _stems_by_article(conn, needed).items()}
    langs = sorted({stems[a][0] for a in needed if a in stems})
    tests: list[RuleTest] = []
    prior: dict[str, float] = {}
    for g, _, _ in parts:
        for lang in langs:
            ids_a = [a for a in samples[g][0] if a in stems and stems[a][0] == lang]
            ids_b = [a for a in samples[g][1] if a in stems and stems[a][0] == lang]
            if not ids_a and not ids_b:
                continue
            tests.append(_split_test(data, conn, g, lang, ids_a, ids_b, stems, prior))
    return tests


def _split_test(data: StoryData, conn: sqlite3.Connection, g: str, lang: str,
                ids_a: list[int], ids_b: list[int], stems: dict[int, tuple[str, set[str]]],
                prior: dict[str, float]) -> RuleTest:
    t = RuleTest("framing", "framing.log_odds", f"group:{g}", "", None, thresholds=THRESHOLDS,
                 detail={"group": g, "language": lang, "articles": len(ids_a),
                         "other_articles": len(ids_b)})
    if min(len(ids_a), len(ids_b)) < MIN_FRAMING_ARTICLES:
        t.reason = (f"in {lang}, group “{g}” has {len(ids_a)} story articles and the rest "
                    f"{len(ids_b)}; at least {MIN_FRAMING_ARTICLES} each are needed")
        return t
    ca, cb = Counter[str](), Counter[str]()
    outlets_using: dict[tuple[str, int], set[str]] = defaultdict(set)
    for side, ids, counter in ((0, ids_a, ca), (1, ids_b, cb)):
        for aid in ids:
            oid = data.articles[aid][0]
            counter.update(stems[aid][1])
            for s in stems[aid][1]:
                outlets_using[(s, side)].add(oid)
    terms = sorted(set(ca) | set(cb))
    missing = [w for w in terms if w not in prior]
    for w, v in zip(missing, _archive_prior(conn, missing), strict=True):
        prior[w] = v
    n_docs = prior.setdefault("\0articles", float(
        conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]))
    # share of the archive's articles using each stem (half an article for unseen ones)
    rate = np.clip((np.array([prior[w] for w in terms]) + 0.5) / (n_docs + 1.0), 1e-6, 1 - 1e-6)
    ya = np.array([ca[w] for w in terms], dtype=float)
    yb = np.array([cb[w] for w in terms], dtype=float)
    delta, z = log_odds(ya, len(ids_a), yb, len(ids_b), rate)
    ok = np.array([len(outlets_using[(w, 0 if z[i] > 0 else 1)]) >= MIN_TERM_OUTLETS
                   for i, w in enumerate(terms)], dtype=bool)
    pvals = 2 * st.norm.sf(np.abs(z[ok]))
    kept = [w for w, k in zip(terms, ok, strict=True) if k]
    if not kept:
        t.reason = f"in {lang}, no word is used by enough outlets on either side"
        return t
    q = benjamini_hochberg(list(pvals))
    zk, dk = z[ok], delta[ok]
    rows = [TermRow(w, float(zk[i]), float(dk[i]), q[i], int(ca[w]), int(cb[w]))
            for i, w in enumerate(kept)]
    up = sorted((r for r in rows if r.z > 0), key=lambda r: -r.z)[:TOP_TERMS]
    down = sorted((r for r in rows if r.z < 0), key=lambda r: r.z)[:TOP_TERMS]
    sig_up = [r for r in up if r.q <= Q_TERMS]
    sig_down = [r for r in down if r.q <= Q_TERMS]
    t.p_value = simes(list(pvals))
    best = max(rows, key=lambda r: abs(r.z))
    t.statistic, t.effect = best.z, best.log_odds
    t.big_enough = bool(sig_up or sig_down)
    t.detail.update(top_group=[asdict(r) for r in up], top_others=[asdict(r) for r in down],
                    terms_tested=len(kept))
    t.sentence = (
        f"In {lang}, outlets in group “{g}” ({len(ids_a)} story articles) and the others "
        f"({len(ids_b)}) choose different words. More often in “{g}”: "
        f"{_words(sig_up, len(ids_a), len(ids_b))}. More often elsewhere: "
        f"{_words(sig_down, len(ids_a), len(ids_b))}. Of {len(kept)} words compared, "
        f"a difference this strong would happen by chance with probability "
        f"{t.p_value:.2g}.")
    return t


def _words(rows: list[TermRow], na: int, nb: int) -> str:
    if not rows:
        return "none clearly"
    return ", ".join(f"“{r.term}” ({_share(r.articles, na)} vs "
                     f"{_share(r.other_articles, nb)} of articles, z = {r.z:.1f})"
                     for r in rows[:5])


def _share(k: int, n: int) -> str:
    return f"{100 * k / n:.0f} %" if n else "-"
