"""Sortable HTML tables whose data is embedded as JSON for CSV/JSON download.

Sorting and downloads are done by the page's inline script from the embedded
``<script type="application/json">`` block, so they work from ``file://``
with no network. Cells are escaped text unless given as :class:`Rich` (markup
the caller built from escaped parts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from untold.report.html import esc, json_block

__all__ = ["Col", "Rich", "download_buttons", "table"]

_ID = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class Col:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Rich:
    """A cell given as markup (already escaped) with the value it sorts and exports by."""

    html: str
    sort: Any


def slug(text: str) -> str:
    """An id-safe slug (element ids, file names, data-series keys)."""
    return _ID.sub("-", text.lower()).strip("-") or "x"


def _sort_attr(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(int(v))
    return esc(v if isinstance(v, int | float | str) else str(v))


def download_buttons(src_id: str, name: str) -> str:
    return (f'<div class="tools"><span class="muted">Download:</span>'
            f'<button type="button" class="dl" data-src="{esc(src_id)}" data-format="csv" '
            f'data-name="{esc(name)}">CSV</button>'
            f'<button type="button" class="dl" data-src="{esc(src_id)}" data-format="json" '
            f'data-name="{esc(name)}">JSON</button></div>')


def table(tid: str, cols: Sequence[Col], rows: Sequence[Sequence[Any]], *,
          export_columns: Sequence[str] | None = None,
          export_rows: Sequence[Sequence[Any]] | None = None, caption: str = "",
          max_rows: int | None = None) -> str:
    """A sortable table (click a header) plus its data block and download buttons.

    Without ``export_rows`` the download holds the shown values (a :class:`Rich`
    cell contributes its sort value). With ``max_rows`` only that many rows are
    shown (a long table would make the page slow); the download holds them all.
    """
    tid = slug(tid)
    head = "".join(
        f'<th scope="col"{" class=num" if c.numeric else ""}><button type="button">'
        f"{esc(c.label)}</button></th>" for c in cols)
    body = []
    shown_rows = rows if max_rows is None else rows[:max_rows]
    if len(shown_rows) < len(rows):
        caption = (f"Showing the first {len(shown_rows)} of {len(rows)} rows; the download "
                   "holds them all. " + caption)
    for r in shown_rows:
        cells = []
        for c, v in zip(cols, r, strict=True):
            cls = ' class="num"' if c.numeric else ""
            if isinstance(v, Rich):
                cells.append(f'<td{cls} data-sort="{_sort_attr(v.sort)}">{v.html}</td>')
            else:
                shown = "" if v is None else (f"{v:.3g}" if isinstance(v, float) else v)
                cells.append(f'<td{cls} data-sort="{_sort_attr(v)}">{esc(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    columns = list(export_columns) if export_columns is not None else [c.label for c in cols]
    data = ([list(r) for r in export_rows] if export_rows is not None else
            [[v.sort if isinstance(v, Rich) else v for v in r] for r in rows])
    cap = f"<caption class=\"muted\">{esc(caption)}</caption>" if caption else ""
    return (download_buttons(f"data-{tid}", tid)
            + f'<div class="tablewrap"><table class="sortable" id="{tid}">{cap}'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            + json_block(f"data-{tid}", {"columns": columns, "rows": data}))
