"""Framing: the words one group of outlets uses for a story and the others avoid.

Each story article is a set of word stems (the index's Snowball stems,
``store.textindex``, counted once per article: a word repeated in one article
is one article's choice, not many), compared within one language at a time
(Kazakh against Russian words would only show who writes in which language),
without per-language stop words, numbers, the words of the story's query and
facts (the other rules measure those) or any site's template words.

**Compared day by day.** A story's vocabulary moves with time ("witnesses",
"fire" on the first days, "trial" later). When part of a group stops
publishing after an event, the group's remaining articles sit in the first
days, and a plain comparison of the two sides reports the words of those days
as the group's framing. So each word is compared within time strata: the
story's day (UTC), split further at each known event, and only strata in which
both sides published count (articles of other days are left out and counted
in the detail). Per word, the test is the stratified comparison of
Cochran–Mantel–Haenszel: with the per-stratum margins fixed, the number of
the group's articles using the word is a sum of independent hypergeometric
counts, so its exact distribution (their convolution) gives a two-sided mid-p
(Lancaster), and a normal approximation to it once its variance is large
(``framing_stats.EXACT_BELOW``). The score test is evaluated under "no difference", so a
word one side never uses gets its smallest p-value, not an exploding variance:
a Wald z on log-odds (the statistic of Monroe et al.'s "Fightin' Words") has
Hauck and Donner's defect, its standard error grows faster than the effect
when a cell nears zero, so the most one-sided words ranked lowest (30 of 42
articles against 0 of 143 scored below 69 % against 29 %).

**House style.** An outlet uses words at its own rates (its reporters, its
subject pages), so one outlet's articles are not independent draws, and a word
one outlet favours would otherwise set its whole group apart. Each outlet is
taken to use a word at its side's daily rate shifted by its own offset on the
logit scale (quasi-likelihood); the offsets' variance is estimated from the
outlets' residuals around their side's daily rates, against the residuals'
exact conditional variances, once for all words together (the median over
words, weighted by what each word can tell: precise, and not moved by a few
sites' own terms), and for a word alone when Pearson's chi-square over its
outlets shows a spread beyond the common one. The statistic's variance grows
by what those offsets add to it (``framing_stats``). A group also needs
``MIN_FRAMING_OUTLETS`` outlets with ``MIN_OUTLET_ARTICLES`` comparable
articles on each side (one outlet's "group" is its house style), and a word
counts as the group's only when at least ``MIN_TERM_OUTLETS`` of its outlets
use it more than the other side does on the same days.

**Effect.** The shares reported are each side's share of articles using the
word, as is and on the same days (a side's daily shares weighted as the
Mantel–Haenszel statistic weighs days, so two sides are compared on one
calendar). The log-odds ratio of the same-day shares is shrunk with Monroe et
al.'s informative Dirichlet prior, which in this per-article (binomial) form
is one Beta(alpha0 * pi_w, alpha0 * (1 - pi_w)) per word, pi_w being the
background share of articles using the word: the background is the
comparison's own articles (both sides pooled), so the prior is centred on
"no difference". Centred on the archive's rate instead, a story word rare in
the archive has a prior near zero on both sides, and since the smaller side
is pulled further, two sides using a word at 97 % came out different.
A word differs when its q (Benjamini–Hochberg within the split) is at most
``Q_TERMS`` and the same-day shares differ by ``MIN_SHARE_DIFF`` and by a
factor of ``MIN_SHARE_RATIO`` (in use, or in leaving the word out).

One test per group split and language enters the run's multiplicity
correction: Simes' combination of the words' p-values ("does any word
differ?"). Most words are too rare ever to differ significantly (a word in
five articles cannot), so, after Tarone, only the words whose smallest
attainable p-value (given the margins alone, so the choice does not look at
which side uses them) could reach ``Q_TERMS`` divided by their number are
counted.

The rules read word sets from ``StoryData.cache["framing_words"]`` (article ->
(language, stems)); ``load_words`` fills it from the archive, and a simulation
can set it directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
from scipy import sparse

from untold.analyze.findings_data import RuleTest, StoryData
from untold.analyze.framing_stats import PRIOR_ARTICLES, WordStats, log_odds, word_tests
from untold.analyze.omissions import group_partitions
from untold.analyze.stats import benjamini_hochberg, simes
from untold.analyze.wording import chance, pct
from untold.models.rules import Threshold
from untold.store.base import Store
from untold.text.textindex import index_text, tokenize
from untold.timeutil import to_iso

__all__ = ["WORDS_KEY", "framing_tests", "load_words", "log_odds", "word_tests"]

METHOD = "framing-2"  # recorded in each test's detail: day strata, exact CMH, dispersion
WORDS_KEY = "framing_words"  # StoryData.cache key: article id -> (language, stems)
MIN_FRAMING_OUTLETS = 2  # per side: one outlet's "group" is its house style
MIN_OUTLET_ARTICLES = 5  # an outlet counts towards a side with this many comparable articles
MIN_TERM_OUTLETS = 2  # outlets of the favouring side using a word more than the other side
MIN_FRAMING_ARTICLES = 20  # per side, on shared days: fewer cannot show a choice of words
MAX_FRAMING_ARTICLES = 2000  # per side, read in turn from each outlet: bounds the time
MIN_SHARE_DIFF = 0.10  # same-day shares 10 points apart: less is a word here and there
MIN_SHARE_RATIO = 2.0  # and one side uses (or leaves out) the word twice as often
TOP_TERMS = 10  # words listed each way
EVIDENCE_WORDS = 3  # differing words each way whose articles are attached as evidence
EVIDENCE_PER_WORD = 8  # articles attached for each of them
BOILERPLATE_SAMPLE = 30  # an outlet's latest articles off the story, read to learn its template
BOILERPLATE_MIN = 10  # fewer of them cannot tell a template word from a common one
BOILERPLATE_SHARE = 0.9  # a word in this share of them is the site's template ("views: 312")
Q_TERMS = 0.05  # false discovery rate for the words within a split (and Tarone's level)

# The rule's thresholds with why (the rule table's records); the dict is what each
# test and finding stores.
RULE_THRESHOLDS = (
    Threshold("prior_articles", PRIOR_ARTICLES,
              "pseudo-articles of the background share added to each side (the prior)"),
    Threshold("min_framing_outlets", MIN_FRAMING_OUTLETS,
              "per side: one outlet's \"group\" is its house style"),
    Threshold("min_outlet_articles", MIN_OUTLET_ARTICLES,
              "an outlet counts towards a side with this many comparable articles"),
    Threshold("min_term_outlets", MIN_TERM_OUTLETS,
              "outlets of the favouring side using a word more than the other side"),
    Threshold("min_framing_articles", MIN_FRAMING_ARTICLES,
              "per side, on shared days: fewer cannot show a choice of words"),
    Threshold("min_share_diff", MIN_SHARE_DIFF,
              "same-day shares 10 points apart: less is a word here and there"),
    Threshold("min_share_ratio", MIN_SHARE_RATIO,
              "and one side uses (or leaves out) the word twice as often"),
    Threshold("q_terms", Q_TERMS,
              "false discovery rate for the words within a split (and Tarone's level)"),
    Threshold("boilerplate_share", BOILERPLATE_SHARE,
              "a word in this share of an outlet's other articles is its template"),
)
THRESHOLDS = {t.name: t.value for t in RULE_THRESHOLDS}

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


@cache
def _stop_stems() -> frozenset[str]:
    return frozenset(s for words in _STOP_RAW.values() for s in index_text(words).split())


@dataclass(frozen=True)
class TermRow:
    term: str               # Snowball stem
    z: float                # signed normal quantile of p: > 0, the group uses it more
    p: float                # two-sided, day by day
    q: float                # BH within the split
    log_odds: float         # same-day shares, shrunk towards the pooled share
    articles: int           # group's comparable story articles using it
    other_articles: int
    share: float            # of the group's comparable articles
    other_share: float
    same_day_share: float   # the group's share on the days both sides published
    other_same_day_share: float
    outlets: int            # outlets of the favouring side using it more than the other side
    dispersion: float       # variance factor from outlets' own rates (1: as independent)
    differs: bool           # q <= Q_TERMS and past the size thresholds: named in the sentence


# ---------------------------------------------------------------- reading the archive


def _stems_by_article(store: Store, ids: list[int]) -> dict[int, tuple[str, set[str]]]:
    """(language, set of stems) of each article."""
    return {int(aid): (str(lang), set(index_text(f"{title} {text}").split()))
            for aid, _, lang, title, text in store.article_texts(ids)}


def _boilerplate(store: Store, data: StoryData,
                 outlets: set[str]) -> dict[str, set[str]]:
    """Each outlet's template words (counters, bylines, footers the extractor kept),
    learnt from its articles that are not on the story: they differ by site, not by
    framing, and would otherwise set groups apart."""
    story = set(data.articles)
    out: dict[str, set[str]] = {}
    for oid in sorted(outlets):
        ids = [i for i in store.latest_article_ids(oid, BOILERPLATE_SAMPLE + len(story))
               if i not in story][:BOILERPLATE_SAMPLE]
        if len(ids) < BOILERPLATE_MIN:
            continue
        df = Counter[str]()
        for _, words in _stems_by_article(store, ids).values():
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


def _samples(data: StoryData) -> dict[str, tuple[list[int], list[int]]]:
    by_outlet = data.by_outlet()
    return {g: (_sample(by_outlet, inside), _sample(by_outlet, rest))
            for g, inside, rest in group_partitions(data)}


def load_words(data: StoryData, store: Store) -> dict[int, tuple[str, frozenset[str]]]:
    """Stems of the story articles the splits compare, without any site's template
    words, read once from the archive into ``data.cache[WORDS_KEY]``."""
    if WORDS_KEY in data.cache:
        return dict(data.cache[WORDS_KEY])
    needed = sorted({a for s in _samples(data).values() for side in s for a in side})
    # a template word of any site is left out everywhere: dropped only where a site is
    # big enough to learn its template, it would set that site's group apart the other way
    template = set().union(*_boilerplate(store, data, {data.articles[a][0] for a in needed})
                           .values())
    words = {a: (lang, frozenset(w for w in ws if w not in template))
             for a, (lang, ws) in _stems_by_article(store, needed).items()}
    data.cache[WORDS_KEY] = words
    return dict(words)


# ---------------------------------------------------------------- the rule


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


def framing_tests(data: StoryData, store: Store | None = None, *,
                  by_time: bool = True) -> list[RuleTest]:
    """One test per group split and language (words are compared within a language).

    Word sets come from ``data.cache[WORDS_KEY]`` when set, else from ``store``; with
    neither there is nothing to compare. ``by_time=False`` compares the sides over the
    whole window (one stratum): only for showing what the day strata remove."""
    samples = _samples(data)
    if not samples:
        return []
    if WORDS_KEY in data.cache:
        words = dict(data.cache[WORDS_KEY])
    elif store is not None:
        words = load_words(data, store)
    else:
        return []
    matrix = _Incidence(words, _skip_filter(data))
    cuts = sorted(to_iso(ev.time) or "" for ev in data.events)
    langs = sorted({words[a][0] for s in samples.values() for side in s for a in side
                    if a in words})
    tests: list[RuleTest] = []
    for g, (side_a, side_b) in samples.items():
        for lang in langs:
            ids_a = [a for a in side_a if a in words and words[a][0] == lang]
            ids_b = [a for a in side_b if a in words and words[a][0] == lang]
            if not ids_a and not ids_b:
                continue
            tests.append(_split_test(data, g, lang, ids_a, ids_b, matrix, cuts, by_time))
    return tests


class _Incidence:
    """Which article uses which compared word: one sparse 0/1 matrix for all splits."""

    def __init__(self, words: dict[int, tuple[str, frozenset[str]]],
                 skip: Callable[[str], bool]) -> None:
        seen: set[str] = set().union(*(ws for _, ws in words.values()))
        dropped = {w for w in seen if skip(w)}
        self.terms = sorted(seen - dropped)
        col = {w: i for i, w in enumerate(self.terms)}
        self.row = {a: i for i, a in enumerate(words)}
        indptr, indices = [0], []
        for _, ws in words.values():
            indices.extend(sorted(col[w] for w in ws - dropped))
            indptr.append(len(indices))
        self.x = sparse.csr_matrix((np.ones(len(indices)), indices, indptr),
                                   shape=(len(words), len(self.terms)))

    def rows(self, ids: list[int]) -> tuple[sparse.csr_matrix, list[str]]:
        """The articles' rows, restricted to the words any of them uses."""
        sub = self.x[[self.row[a] for a in ids]]
        used = np.flatnonzero(np.asarray(sub.sum(axis=0)).ravel() > 0)
        return sub[:, used].tocsr(), [self.terms[j] for j in used]


def _stratum(data: StoryData, aid: int, cuts: list[str], by_time: bool) -> str:
    """The story's day (UTC) and the number of events passed: articles are compared
    only with articles of the same day and phase."""
    when = data.articles[aid][1]
    if not by_time:
        return ""
    return f"{when[:10]}/{sum(1 for c in cuts if c and when >= c)}"


def _big_outlets(data: StoryData, ids: list[int]) -> list[str]:
    n = Counter(data.articles[a][0] for a in ids)
    return sorted(o for o, k in n.items() if k >= MIN_OUTLET_ARTICLES)


def _split_test(data: StoryData, g: str, lang: str, ids_a: list[int], ids_b: list[int],
                matrix: _Incidence, cuts: list[str], by_time: bool) -> RuleTest:
    t = RuleTest("framing", "framing.log_odds", f"group:{g}", "", None, thresholds=THRESHOLDS,
                 detail={"group": g, "language": lang, "method": METHOD,
                         "articles": len(ids_a), "other_articles": len(ids_b)})
    key = {a: _stratum(data, a, cuts, by_time) for a in ids_a + ids_b}
    shared = {key[a] for a in ids_a} & {key[a] for a in ids_b}
    ca = [a for a in ids_a if key[a] in shared]
    cb = [a for a in ids_b if key[a] in shared]
    big_a, big_b = _big_outlets(data, ca), _big_outlets(data, cb)
    t.detail.update(comparable_articles=len(ca), other_comparable_articles=len(cb),
                    strata=len(shared), outlets=big_a, other_outlets=big_b)
    if min(len(ca), len(cb)) < MIN_FRAMING_ARTICLES:
        t.reason = (f"in {lang}, group “{g}” has {len(ids_a)} story articles and the rest "
                    f"{len(ids_b)}; on the {len(shared)} day(s) both published, {len(ca)} and "
                    f"{len(cb)}: at least {MIN_FRAMING_ARTICLES} each are needed (words are "
                    "compared only within the same day)")
        return t
    if min(len(big_a), len(big_b)) < MIN_FRAMING_OUTLETS:
        t.reason = (f"in {lang}, group “{g}” has {len(big_a)} and the rest {len(big_b)} "
                    f"outlet(s) with {MIN_OUTLET_ARTICLES}+ comparable story articles; at "
                    f"least {MIN_FRAMING_OUTLETS} each are needed (one outlet's words are its "
                    "house style, not a group's framing)")
        return t
    ids = ca + cb
    x, terms = matrix.rows(ids)
    if not terms:
        t.reason = f"in {lang}, the story articles share no word to compare"
        return t
    s_index = {k: i for i, k in enumerate(sorted(shared))}
    o_names = sorted({data.articles[a][0] for a in ids})
    o_index = {o: i for i, o in enumerate(o_names)}
    ws = word_tests(x, np.array([True] * len(ca) + [False] * len(cb)),
                    np.array([s_index[key[a]] for a in ids]),
                    np.array([o_index[data.articles[a][0]] for a in ids]), terms)
    _judge(t, g, lang, ws, len(ca), len(cb), len(shared))
    t.evidence = _evidence(t, x, terms, ca, cb)
    return t


def _evidence(t: RuleTest, x: sparse.csr_matrix, terms: list[str], ca: list[int],
              cb: list[int]) -> list[tuple[int, str]]:
    """Articles that use the differing words, on the side that uses each more."""
    col = {w: j for j, w in enumerate(terms)}
    xc = x.tocsc()
    out: list[tuple[int, str]] = []
    for key, side, offset in (("differing_group", ca, 0), ("differing_others", cb, len(ca))):
        for r in t.detail.get(key, [])[:EVIDENCE_WORDS]:
            rows = xc[:, col[r["term"]]].indices
            mine = sorted(int(i) for i in rows if offset <= i < offset + len(side))
            out += [(side[i - offset], f"uses “{r['term']}”") for i in mine[:EVIDENCE_PER_WORD]]
    return out


def _differs(ws: WordStats, j: int) -> bool:
    """Large enough to call the word a choice: shares apart by MIN_SHARE_DIFF and
    MIN_SHARE_RATIO, and used more by MIN_TERM_OUTLETS outlets of the favouring side."""
    a, b = float(ws.share_a[j]), float(ws.share_b[j])
    hi, lo = max(a, b), min(a, b)
    ratio_ok = hi >= MIN_SHARE_RATIO * lo or (1 - lo) >= MIN_SHARE_RATIO * (1 - hi)
    outlets = ws.outlets_a[j] if a > b else ws.outlets_b[j]
    return hi - lo >= MIN_SHARE_DIFF and ratio_ok and outlets >= MIN_TERM_OUTLETS


def _tarone(min_p: np.ndarray, alpha: float = Q_TERMS) -> np.ndarray:
    """The words tested (Tarone 1990): the smallest K such that at most K words could
    reach alpha / K. Most words are rare, and a word in five articles can never give a
    small p-value; counting them would only raise the bar for the others. The choice
    depends on the margins alone, not on which side uses a word, so the words' p-values
    stay valid for the words kept."""
    order = np.sort(min_p)
    for k in range(1, len(order) + 1):
        if np.searchsorted(order, alpha / k, side="right") <= k:
            return np.flatnonzero(min_p <= alpha / k)
    return np.flatnonzero(min_p <= alpha / max(len(order), 1))


def _judge(t: RuleTest, g: str, lang: str, ws: WordStats, na: int, nb: int,
           strata: int) -> None:
    keep = _tarone(ws.min_p)
    t.detail["terms_seen"] = len(ws.terms)
    if not len(keep):
        t.reason = (f"in {lang}, no word is used often enough on the {strata} shared days "
                    "to show a difference")
        return
    pv = [float(ws.p[j]) for j in keep]
    q = np.array(benjamini_hochberg(pv))

    zk = ws.z[keep]
    order = np.lexsort((np.array(ws.terms, dtype=object)[keep].astype(str), -np.abs(zk)))
    sig = [i for i in order if q[i] <= Q_TERMS and _differs(ws, int(keep[i]))]
    sig_set = set(sig)

    def row(i: int) -> TermRow:
        j = int(keep[i])
        return TermRow(ws.terms[j], float(ws.z[j]), float(ws.p[j]), float(q[i]),
                       float(ws.log_odds[j]), int(ws.ya[j]), int(ws.yb[j]),
                       float(ws.ya[j] / na), float(ws.yb[j] / nb), float(ws.share_a[j]),
                       float(ws.share_b[j]),
                       int(ws.outlets_a[j] if ws.z[j] > 0 else ws.outlets_b[j]),
                       float(ws.dispersion[j]), i in sig_set)

    up = [row(i) for i in order if zk[i] > 0][:TOP_TERMS]
    down = [row(i) for i in order if zk[i] < 0][:TOP_TERMS]
    sig_up = [row(i) for i in sig if zk[i] > 0]
    sig_down = [row(i) for i in sig if zk[i] < 0]
    rows = up + down
    t.p_value = simes(pv)
    t.detail["min_p"] = float(ws.min_p[keep].min())
    pool = [*sig_up, *sig_down] or rows
    best = max(pool, key=lambda r: abs(r.z)) if pool else None
    t.statistic, t.effect = (best.z, best.log_odds) if best else (0.0, 0.0)
    t.big_enough = bool(sig)
    t.detail.update(top_group=[asdict(r) for r in up], top_others=[asdict(r) for r in down],
                    differing_group=[asdict(r) for r in sig_up][:TOP_TERMS],
                    differing_others=[asdict(r) for r in sig_down][:TOP_TERMS],
                    terms_tested=len(keep), differing_words=len(sig))
    t.sentence = (
        f"In {lang}, outlets in group “{g}” ({na} story articles) and the other outlets "
        f"({nb}) choose different words, compared only within the same day (the "
        f"{strata} days, or parts of a day before and after an event, when both published). "
        f"More often in “{g}”: {_words(sig_up, g)}. More often elsewhere: "
        f"{_words(sig_down, g)}. Of {len(keep)} words compared, a difference this strong "
        f"would happen by chance {chance(float(t.p_value))}.")


def _words(rows: list[TermRow], g: str) -> str:
    if not rows:
        return "none clearly"
    return "; ".join(
        f"“{r.term}” (in {pct(r.share)} of “{g}” articles vs {pct(r.other_share)} of the "
        f"others'; on the same days {pct(r.same_day_share)} vs "
        f"{pct(r.other_same_day_share)}; z = {r.z:.1f})" for r in rows[:5])
