"""An article's headline as its page shows it, and an outlet's title template.

The ``<title>`` of a news page is rarely the headline: it carries the site's
name (``… | Outlet``, ``… - Outlet``), a section label (``Opinion | …``), or it
is an SEO title written for search engines, while the page shows readers a
different headline. Two tools, both general (no outlet is named anywhere):

1. :func:`page_title`, for one page: the *visible* headline, chosen among the
   page's ``<h1>`` and ``itemprop="headline"`` elements by agreement with what
   the page says its title is (``<title>``, ``og:title``, ``twitter:title``, the
   JSON-LD headline), never blindly the first ``<h1>`` (menus, mastheads and
   sidebars have them too); with no visible headline that agrees, the metadata
   title. Either way a site-name affix is removed when it matches a name the
   page gives itself (``og:site_name``, JSON-LD publisher, ``application-name``)
   or its domain (``nytimes.com`` is "The New York Times": initials and last
   word).
2. :func:`learn_affixes`, for an outlet: a prefix or suffix that most of the
   outlet's stored titles share is its template (learned from the titles, a
   pure function); :func:`strip_affixes` removes it. :func:`refresh_outlet_titles`
   runs both at the end of a collect or an import, so titles whose page gave
   no visible headline lose the outlet's template too (the SQL is in
   :mod:`untold.store.sqlite.titles`).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from untold.store.base import TitleStore

__all__ = [
    "LABEL_MIN_TITLES",
    "MIN_AGREEMENT",
    "MIN_TEMPLATE_TITLES",
    "TEMPLATE_SHARE",
    "TitleAffixes",
    "TitleStore",
    "agreement",
    "learn_affixes",
    "outlet_title_stripper",
    "page_title",
    "refresh_outlet_titles",
    "site_names",
    "strip_affixes",
    "strip_site_affixes",
]

MIN_AGREEMENT = 0.5  # Dice overlap of words: a visible headline and an SEO title of one story
# share half their words ("Prison guards charged in connection with Epstein's death" vs
# "Two federal prison officers charged ... in connection with Jeffrey Epstein's suicide")
MAX_HEADLINE_CHARS = 400  # a longer <h1> is a block of text styled as a heading
MIN_TEMPLATE_TITLES = 5  # fewer stored titles cannot show a template (one story's series)
TEMPLATE_SHARE = 0.5  # an affix "most" of an outlet's titles share is its template
LABEL_MIN_TITLES = 3  # a section label repeats verbatim on at least this many titles ...
LABEL_SHARE = 0.05  # ... and this share of them; headlines never repeat like that
MAX_LABEL_WORDS = 3  # "World news", "Opinion", "Breaking News": labels are short
LEARN_SAMPLE = 500  # the outlet's latest titles a template is learned from

MIN_REST_WORDS = 2  # a learned affix is never removed if less than this would remain:
# a one-word "headline" left behind means the affix was the headline's own words
# A separator between a headline and an affix: the strong ones bind without spaces
# ("Opinion|Headline"), a dash, colon or slash only with spaces on both sides, so
# "Kim-Jong", "10:30", "Chaos: China deploys ..." and "80/90" stay whole. "»" is
# also a closing quotation mark (ru, kk, ky, fr, ...): see :func:`_separators`.
_SEPARATOR = re.compile(r"\s*(?:\|{1,2}|»|·|•|::)\s*|\s+(?:[-–—:/~])\s+")
_STRONG = re.compile(r"\s*(?:\|{1,2}|»|·|•|::)\s*")
_OPEN_QUOTE, _CLOSE_QUOTE = "«", "»"
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
# The end of a domain written as a name ("Express.co.uk", "CBSSports.com", "PanARMENIAN.Net").
_DOMAIN_SUFFIX = re.compile(r"(?:\.(?:[a-z]{2,3}|info|news)){1,2}$", re.I)
# Host labels that are not a site's name (sub-domains, second-level registries).
_HOST_NOISE = frozenset({"www", "m", "amp", "mobile", "news", "co", "com", "org", "net", "ac",
                         "gov", "edu", "or", "ne", "go"})
_ARTICLE_TYPES = ("article", "posting", "report", "review", "claim", "recipe", "creativework")
_META_TITLES = ("og:title", "twitter:title", "twitter:text:title", "title", "dcterms.title",
                "dc.title", "sailthru.title", "parsely-title")
_META_NAMES = ("og:site_name", "application-name", "apple-mobile-web-app-title",
               "twitter:site", "publisher", "dc.publisher")


def _clean(text: str | None) -> str:
    return _SPACE.sub(" ", html.unescape(text or "")).strip()


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def agreement(a: str, b: str) -> float:
    """Dice overlap of the two texts' word sets (0 to 1)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


def _closes_quote(title: str, pos: int) -> bool:
    """Whether the "»" at ``pos`` is a closing quotation mark, not a breadcrumb separator.

    It closes a quote when a "«" before it is still open ("Инцидент на «Бесобе»: ..."),
    or when it is shaped like one: glued to the word before and followed by a space
    ("«Бесоба» шахтасындағы"), or the reverse (German »Zitat«). A separator stands
    alone between spaces ("News » World") or binds both sides ("News»World").
    """
    before = title[:pos]
    if before.count(_OPEN_QUOTE) > before.count(_CLOSE_QUOTE):
        return True
    space_before = pos > 0 and title[pos - 1].isspace()
    space_after = pos + 1 < len(title) and title[pos + 1].isspace()
    return space_before != space_after


def _separators(title: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """The separators ``pattern`` finds in ``title``, less quotation marks that look alike."""
    out = []
    for m in pattern.finditer(title):
        pos = title.find(_CLOSE_QUOTE, m.start(), m.end())
        if pos >= 0 and _closes_quote(title, pos):
            continue
        out.append(m)
    return out


def _balanced(text: str) -> bool:
    """Whether ``text`` closes every « it opens, opens every » that closes a quotation
    (a breadcrumb "»" is neither) and pairs its straight double quotes."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == _OPEN_QUOTE:
            depth += 1
        elif ch == _CLOSE_QUOTE and depth:
            depth -= 1
        elif ch == _CLOSE_QUOTE and _closes_quote(text, i):
            return False  # shaped like a closing quote, with nothing open
    return depth == 0 and text.count('"') % 2 == 0


def _clean_cut(title: str, rest: str) -> bool:
    """Whether cutting ``title`` down to ``rest`` removes a whole part: no quotation left
    open or closed by the cut (when ``title`` was balanced), and a headline remains."""
    if _balanced(title) and not _balanced(rest):
        return False
    return len(_WORD.findall(rest)) >= MIN_REST_WORDS


def _norm(name: str) -> str:
    """A site name for comparison: no domain suffix, lower case, letters and digits only."""
    name = name.strip().lstrip("@")
    if " " not in name and "." in name:
        name = _DOMAIN_SUFFIX.sub("", name.removeprefix("www.").removeprefix("WWW."))
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _host_labels(url: str | None) -> list[str]:
    host = (urlsplit(url).hostname or "") if url else ""
    labels = [x for x in host.casefold().split(".")[:-1] if x and x not in _HOST_NOISE]
    return ["".join(ch for ch in x if ch.isalnum()) for x in labels]


def _matches_name(segment: str, names: Sequence[str], hosts: Sequence[str]) -> bool:
    """Whether ``segment`` (an end of a title) is the site's name."""
    s = _norm(segment)
    if len(s) < 2:
        return False
    for n in names:
        if n and (s == n or s == "the" + n or n == "the" + s):
            return True
    words = [w for w in _WORD.findall(segment.casefold()) if w != "the"]
    initials = "".join(w[0] for w in words)
    forms = {s, s.removeprefix("the"), initials}
    if len(words) > 1:  # "New York Times" -> nytimes, "Los Angeles Times" -> latimes
        forms.add(initials[:-1] + words[-1])
    return any(h and len(h) >= 2 and h in forms for h in hosts)


@dataclass(frozen=True)
class _Head:
    """What a page says about itself, read once: meta tags and JSON-LD nodes."""

    metas: tuple[tuple[str, str], ...]  # (property or name, lower case; content)
    nodes: tuple[dict[str, Any], ...]  # every JSON-LD object, nested ones included

    @classmethod
    def read(cls, tree: Any) -> _Head:
        metas = tuple(((m.get("property") or m.get("name") or "").casefold(),
                       m.get("content") or "") for m in tree.xpath("//meta[@content]"))
        return cls(metas, tuple(n for data in _jsonld(tree) for n in _walk(data)))


def site_names(tree: Any, sitename: str | None = None) -> list[str]:
    """The names the page gives its site (normalised): meta tags, JSON-LD, trafilatura's."""
    return _names(_Head.read(tree), sitename)


def _names(head: _Head, sitename: str | None) -> list[str]:
    found = [content for key, content in head.metas if key in _META_NAMES]
    for node in head.nodes:
        kind = str(node.get("@type", "")).casefold()
        if node.get("name") and any(k in kind for k in ("organization", "website")):
            found.append(str(node["name"]))
        pub = node.get("publisher")
        if isinstance(pub, dict) and pub.get("name"):
            found.append(str(pub["name"]))
    if sitename:
        found.append(sitename)
    names = [_norm(_clean(x)) for x in found]
    return list(dict.fromkeys(n for n in names if len(n) >= 2))


def strip_site_affixes(title: str, names: Sequence[str], url: str | None = None) -> str:
    """``title`` without a leading or trailing part that is the site's name.

    A part is what a separator (``| – — - : · » / ::``) sets off at either end;
    it may span several separators ("Remember 80/90 - Memorabilia anni 80/90").
    The headline itself is never removed.
    """
    title = _clean(title)
    hosts = _host_labels(url)
    seps = _separators(title, _SEPARATOR)
    for m in reversed(seps):  # the longest matching tail first
        if _matches_name(title[m.end():], names, hosts) and title[:m.start()].strip():
            title = title[:m.start()].strip()
            break
    for m in _separators(title, _SEPARATOR):  # the longest matching head last, shortest first
        if _matches_name(title[:m.start()], names, hosts) and title[m.end():].strip():
            return title[m.end():].strip()
    return title


def _jsonld(tree: Any) -> list[Any]:
    out: list[Any] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            out.append(json.loads(script.text or ""))
        except ValueError:
            continue  # broken JSON-LD is common; the page has other signals
    return out


def _walk(node: Any) -> Iterable[dict[str, Any]]:
    if isinstance(node, list):
        for x in node:
            yield from _walk(x)
    elif isinstance(node, dict):
        yield node
        for v in node.values():
            if isinstance(v, dict | list):
                yield from _walk(v)


def _references(tree: Any, head: _Head) -> list[str]:
    """What the page says its title is: JSON-LD headlines of articles, meta titles, <title>."""
    refs: list[str] = []
    for node in head.nodes:
        kind = str(node.get("@type", "")).casefold()
        if node.get("headline") and (not kind or any(t in kind for t in _ARTICLE_TYPES)):
            refs.append(_clean(str(node["headline"])))
    refs.extend(_clean(content) for key, content in head.metas if key in _META_TITLES)
    refs.extend(_clean("".join(t.itertext())) for t in tree.xpath("//title")[:1])
    return [r for r in dict.fromkeys(refs) if r]


def _visible(tree: Any) -> list[tuple[str, bool]]:
    """Headline elements in document order: (text, marked itemprop="headline")."""
    out: list[tuple[str, bool]] = []
    for el in tree.xpath('//body//h1|//body//*[@itemprop="headline"]'):
        text = _clean("".join(el.itertext()))
        if text and len(text) <= MAX_HEADLINE_CHARS:
            marked = el.get("itemprop") == "headline" or bool(
                el.xpath('ancestor::*[@itemprop="headline"]|.//*[@itemprop="headline"]'))
            out.append((text, marked and el.tag == "h1"))
    return out


def page_title(tree: Any, *, url: str | None = None, fallback: str = "",
               sitename: str | None = None) -> str:
    """The headline of the page in ``tree`` (an lxml HTML tree); see the module docstring.

    ``fallback`` (trafilatura's title) is used when the page has no title at all.
    """
    head = _Head.read(tree)
    names = _names(head, sitename)
    hosts = _host_labels(url)
    refs = [r for r in _references(tree, head) if not _matches_name(r, names, hosts)]
    refs += [r2 for r in refs if (r2 := strip_site_affixes(r, names, url)) != r]
    candidates = [(t, marked) for t, marked in _visible(tree)
                  if not _matches_name(t, names, hosts)]
    best, best_score = "", 0.0
    for text, _ in candidates:
        score = max((agreement(text, r) for r in refs), default=0.0)
        if score > best_score:
            best, best_score = text, score
    if best_score >= MIN_AGREEMENT:
        return strip_site_affixes(best, names, url)
    marked = [t for t, m in candidates if m]
    if marked:  # the page's own headline, marked up as such, over SEO and social titles
        return strip_site_affixes(marked[0], names, url)
    if not refs and candidates:
        return strip_site_affixes(candidates[0][0], names, url)
    for r in refs or [fallback]:
        title = strip_site_affixes(r, names, url)
        if title:
            return title
    return _clean(fallback)


# -- an outlet's template ---------------------------------------------------------


@dataclass(frozen=True)
class TitleAffixes:
    """An outlet's learned title template: prefixes and suffixes, separators included."""

    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.prefixes or self.suffixes)

    def merged(self, other: TitleAffixes) -> TitleAffixes:
        return TitleAffixes(tuple(dict.fromkeys(self.prefixes + other.prefixes)),
                            tuple(dict.fromkeys(self.suffixes + other.suffixes)))


def _ends(title: str, strong_only: bool) -> tuple[set[str], set[str]]:
    """Every prefix and suffix of ``title`` that a separator sets off (separator included)."""
    pattern = _STRONG if strong_only else _SEPARATOR
    heads: set[str] = set()
    tails: set[str] = set()
    for m in _separators(title, pattern):
        head, tail = title[:m.start()], title[m.end():]
        if head.strip() and tail.strip() and _balanced(head) and _balanced(tail):
            heads.add(title[:m.end()])
            tails.add(title[m.start():])
    return heads, tails


def _common(counts: Counter[str], n: int, need: float, floor: int) -> list[str]:
    return [a for a, c in counts.items() if c >= floor and c >= need * n]


def learn_affixes(titles: Sequence[str], *, min_titles: int = MIN_TEMPLATE_TITLES,
                  share: float = TEMPLATE_SHARE) -> TitleAffixes:
    """The template of an outlet's ``titles``: affixes most of them share.

    A prefix or suffix (what a separator sets off, the separator included) that at
    least ``share`` of the titles (and ``min_titles`` of them) carry is the template.
    Once it is removed, a short label set off by a strong separator (``|``, ``»``,
    ``·``, ``::``) that repeats verbatim on several titles is a section label
    ("Opinion | ...", "... | World news"): headlines do not repeat.
    """
    clean = [t for t in (_clean(x) for x in titles) if t]
    n = len(clean)
    if n < min_titles:
        return TitleAffixes()
    heads: Counter[str] = Counter()
    tails: Counter[str] = Counter()
    for t in clean:
        h, s = _ends(t, strong_only=False)
        heads.update(h)
        tails.update(s)
    template = TitleAffixes(tuple(sorted(_common(heads, n, share, min_titles), key=len)),
                            tuple(sorted(_common(tails, n, share, min_titles), key=len)))
    label_heads: Counter[str] = Counter()
    label_tails: Counter[str] = Counter()
    for t in clean:
        rest = strip_affixes(t, template)
        h, s = _ends(rest, strong_only=True)
        label_heads.update(x for x in h if len(_WORD.findall(x)) <= MAX_LABEL_WORDS)
        label_tails.update(x for x in s if len(_WORD.findall(x)) <= MAX_LABEL_WORDS)
    floor = max(LABEL_MIN_TITLES, min_titles // 2)
    labels = TitleAffixes(tuple(_common(label_heads, n, LABEL_SHARE, floor)),
                          tuple(_common(label_tails, n, LABEL_SHARE, floor)))
    return template.merged(labels)


def strip_affixes(title: str, affixes: TitleAffixes) -> str:
    """``title`` without the longest learned prefix and suffix it carries.

    An affix is removed only where it is a whole part of this title: set off by a real
    separator here too (not a "»" that closes a quotation), leaving no quotation
    unbalanced and at least ``MIN_REST_WORDS`` words. Titles stored under an older,
    looser template are thus left whole rather than cut in a quotation.
    """
    title = _clean(title)
    for _ in range(2):  # a template, then a section label behind it
        before = title
        for suffix in sorted(affixes.suffixes, key=len, reverse=True):
            rest = title[:-len(suffix)].strip()
            if (title.endswith(suffix) and _clean_cut(title, rest)
                    and _set_off(title, len(title) - len(suffix))):
                title = rest
                break
        for prefix in sorted(affixes.prefixes, key=len, reverse=True):
            rest = title[len(prefix):].strip()
            if (title.startswith(prefix) and _clean_cut(title, rest)
                    and _set_off(title, len(prefix) - 1)):
                title = rest
                break
        if title == before:
            break
    return title


def _set_off(title: str, at: int) -> bool:
    """Whether a separator of ``title`` covers the boundary at ``at`` (an affix's edge)."""
    return any(m.start() <= at < m.end() or (m.start() == m.end() == at)
               for m in _separators(title, _SEPARATOR))


def refresh_outlet_titles(store: TitleStore, outlet_ids: Iterable[str]) -> int:
    """Learn each outlet's template from its latest stored titles, keep it, and remove it
    from every stored title (articles and their later versions); return titles changed.

    A learned template is kept for good: once its titles are stripped they no longer
    show it, and later pages still carry it.
    """
    changed = 0
    for oid in outlet_ids:
        pre, suf = store.title_affixes(oid)
        known = TitleAffixes(tuple(pre), tuple(suf))
        sample = store.recent_titles(oid, LEARN_SAMPLE)
        learned = learn_affixes(sample)
        new = TitleAffixes(tuple(p for p in learned.prefixes if p not in known.prefixes),
                           tuple(s for s in learned.suffixes if s not in known.suffixes))
        if new:
            store.add_title_affixes(oid, new.prefixes, new.suffixes, len(sample))
        affixes = known.merged(new)
        if affixes:
            changed += store.rewrite_titles(oid, affixes.prefixes, affixes.suffixes,
                                            partial(_strip_with, affixes))
    return changed


def _strip_with(affixes: TitleAffixes, title: str) -> str:
    return strip_affixes(title, affixes)


def outlet_title_stripper(store: TitleStore, outlet_id: str) -> Callable[[str], str]:
    """The outlet's learned template as a function on titles (identity when none):
    what a revisit applies to a fresh extraction to compare it with the stored title."""
    pre, suf = store.title_affixes(outlet_id)
    affixes = TitleAffixes(tuple(pre), tuple(suf))
    if not affixes:
        return str  # no template: titles compare exactly as before
    return partial(_strip_with, affixes)
