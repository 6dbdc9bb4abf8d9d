"""News pages whose dates are laid out as real sites lay them out, for the date tests:
metadata in the head (JSON-LD, Open Graph, microdata), a byline in the article, and
the dates that are NOT the publication around it: today's date in the site header,
a photo caption, a related-stories list, a print-issue reference, an update line.

``dated_page`` builds one page around an article of ``tests.support.pages`` so each
test varies one thing and keeps the rest of the page realistic.
"""

from __future__ import annotations

import html
import json
from typing import Any

from tests.support.pages import ARTICLES, BOILERPLATE, Article

__all__ = ["RELATED", "dated_page", "jsonld"]

# A related-stories box: other articles, older and newer, each with its own time.
RELATED = (
    ("2026-09-14T07:05:00+05:00", "Парламент обсудил бюджет на следующий год"),
    ("2026-09-28T18:40:00+05:00", "В Алматы открылся новый мост через реку"),
    ("2026-10-02T11:20:00+05:00", "Цены на топливо выросли третью неделю подряд"),
)


def jsonld(data: Any) -> str:
    """A JSON-LD script element holding ``data``."""
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def dated_page(*, head: str = "", byline: str = "", lang: str = "ru",
               caption: str = "Фото: пресс-служба, архив, 12.03.2019",
               caption_time: str = "2019-03-12", today: str = "2026-10-03",
               related: tuple[tuple[str, str], ...] = RELATED, after_body: str = "") -> str:
    """A complete page: ``head`` goes into <head> (metadata), ``byline`` under the headline.

    The page always carries dates that are not its publication: today's date in the
    site header, a caption with an archive photo's date, a related-stories list and
    a footer year.
    """
    article: Article = ARTICLES[lang]
    bp = BOILERPLATE[lang]
    esc = html.escape
    nav = "".join(f'<li><a href="/{i}/">{esc(item)}</a></li>' for i, item in enumerate(bp.nav))
    rel = "".join(
        f'<li class="news-item"><a href="/news/{800 + i}.html">{esc(title)}</a> '
        f'<time datetime="{when}">{when[8:10]}.{when[5:7]}.{when[:4]} {when[11:16]}</time></li>'
        for i, (when, title) in enumerate(related))
    paras = "\n".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{article.lang}">
<head>
<meta charset="utf-8">
<title>{esc(article.title)} | {esc(bp.site)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{esc(article.title)}">
<meta property="og:type" content="article">
{head}
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="site-header">
  <a class="logo" href="/">{esc(bp.site)}</a>
  <span class="today">Сегодня: <time datetime="{today}">{today[8:10]}.{today[5:7]}.{today[:4]}</time></span>
  <nav class="main-menu"><ul>{nav}</ul></nav>
</header>
<main>
  <article class="article">
    <h1>{esc(article.title)}</h1>
    <div class="article-meta"><span class="author">{esc(article.author)}</span> {byline}</div>
    <figure class="lead-photo"><img src="/img/lead.jpg" alt="">
      <figcaption>{esc(caption)} <time datetime="{caption_time}"></time></figcaption></figure>
    <div class="article-body">
{paras}
    </div>
    {after_body}
  </article>
  <aside class="related"><h2>Читайте также</h2><ul>{rel}</ul></aside>
</main>
<footer><p>© 2009–2026 {esc(bp.site)}. Все права защищены.</p></footer>
</body>
</html>"""
