"""Escaping and the page shell of the HTML report.

Everything that came from the web or the archive (titles, URLs, outlet names,
article text) passes through :func:`esc` before it touches markup; URLs become
links only through :func:`safe_href`, which admits http(s) and the report's own
relative paths, never ``javascript:``/``data:``/``vbscript:``. The page carries a
Content-Security-Policy that allows no network requests at all and runs only the
report's own inline script (by hash), so even a missed escape could not load or
run anything.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

from untold.report.assets import CSS, JS

__all__ = ["clip", "esc", "json_block", "page", "safe_href"]

# Schemes a report link may use: the web, and nothing that runs code or embeds data.
LINK_SCHEMES = ("http", "https")
# Control characters and whitespace browsers strip before reading a URL's scheme.
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")
_REL_PATH = re.compile(r"[A-Za-z0-9._/%-]+\.html")  # quote()d relative paths


def esc(value: Any) -> str:
    """Text for HTML content or a quoted attribute value (quotes escaped too)."""
    return html.escape("" if value is None else str(value), quote=True)


def clip(text: str, n: int) -> str:
    """At most ``n`` characters, with an ellipsis when cut (chart labels have fixed room)."""
    return text if len(text) <= n else text[: max(n - 1, 1)].rstrip() + "\u2026"


def safe_href(url: str | None, *, local: bool = False) -> str | None:
    """An escaped href for an http(s) URL (or a plain relative .html path if ``local``).

    Returns None for anything else, so the caller shows it as text instead.
    """
    if not url:
        return None
    if local:
        # relative only: no scheme (":" is not admitted), no "/" or "//host" start, no ".."
        if _REL_PATH.fullmatch(url) and not url.startswith("/") and ".." not in url.split("/"):
            return esc(url)
        return None
    cleaned = _URL_JUNK.sub("", url)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return None
    return esc(url.strip())


def json_block(element_id: str, data: Any) -> str:
    """Data embedded as ``<script type=application/json>``; it can never close the tag."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    # "<", ">" and "&" as \u escapes: the HTML parser never sees "</script" or "<!--"
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()


def csp(script: str | None) -> str:
    """No network at all; inline styles; SVG/data images; only our script (by hash)."""
    scripts = f"'{_script_hash(script)}'" if script else "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def page(title: str, body: str, *, nav: list[tuple[str, str]] | None = None,
         subtitle: str = "") -> str:
    """The whole report page: head (CSP, CSS), a navigation bar, ``body`` and the script."""
    links = "".join(f'<a href="#{esc(anchor)}">{esc(label)}</a>' for anchor, label in nav or [])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp(JS))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>{esc(title)}</h1>'
        + (f'<p class="sub">{esc(subtitle)}</p>' if subtitle else "")
        + (f'<nav aria-label="Sections">{links}</nav>' if links else "")
        + f"</header><main>{body}</main>"
        '<footer><p>Made by untold. Every table downloads as CSV or JSON; linked articles '
        "open as inert copies of the archived pages (no scripts, no network).</p></footer>"
        f"<script>{JS}</script></body></html>\n"
    )
