"""Server-side SVG charts over categories: heatmap, stacked bars, diverging bars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from untold.report.html import clip, esc

__all__ = ["Cell", "diverging_bars", "heatmap", "stacked_bars"]

HEAT_RGB = (0, 114, 178)  # Okabe-Ito blue; intensity (not hue) carries the value
HEAT_MIN_ALPHA = 0.12  # the faintest non-zero cell stays visible against white


@dataclass(frozen=True)
class Cell:
    value: float | None  # None: nothing published that day (drawn hatched, not as zero)
    text: str  # shown in the cell when it fits ("" for none)
    tip: str  # hover text
    # "blocked" | "down": the outlet could not be reached then (a pattern of its own
    # instead of the hatch of "nothing published", and an outline when it published)
    mark: str = ""


# mark -> (pattern id, colour): as the report's reachability bands (stripes: blocked,
# dots: down), so the shape tells them apart without the colour
MARKS = {"blocked": ("reach-blocked", "#D55E00"), "down": ("reach-down", "#0072B2")}


def _heat_fill(v: float, vmax: float) -> str:
    if vmax <= 0 or v <= 0:
        return "#ffffff"
    a = HEAT_MIN_ALPHA + (1 - HEAT_MIN_ALPHA) * min(v / vmax, 1.0)
    r, g, b = (round(255 - (255 - c) * a) for c in HEAT_RGB)
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(rows: Sequence[str], cols: Sequence[str], cells: Sequence[Sequence[Cell]], *,
            row_notes: Sequence[str] = (), width: int = 960, label_width: int = 170,
            note_width: int = 110, title: str = "heatmap") -> str:
    """Rows x columns of shaded cells; ``row_notes`` go right of each row (e.g. status)."""
    n = max(len(cols), 1)
    cell_w = max(4.0, (width - label_width - note_width) / n)
    cell_h = 20
    top = 34
    height = top + cell_h * len(rows) + 8
    vmax = max((c.value or 0.0 for r in cells for c in r), default=0.0)
    parts = [f'<svg class="chart heatmap" viewBox="0 0 {width} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="{esc(title)}">'
             f"<title>{esc(title)}</title>",
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f4"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#d6d6d6" stroke-width="2"/></pattern>'
             '<pattern id="reach-blocked" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe7d9"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#D55E00" stroke-width="2.5"/></pattern>'
             '<pattern id="reach-down" width="6" height="6" patternUnits="userSpaceOnUse">'
             '<rect width="6" height="6" fill="#e5f0f7"/>'
             '<circle cx="3" cy="3" r="1.4" fill="#0072B2"/></pattern>'
             "</defs>"]
    every = max(1, round(42 / cell_w))  # column labels at least ~42 units apart
    for j, c in enumerate(cols):
        if j % every == 0:
            x = label_width + cell_w * j + cell_w / 2
            parts.append(f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" '
                         f'font-size="11">{esc(c)}</text>')
    for i, label in enumerate(rows):
        y = top + cell_h * i
        parts.append(f'<g class="hrow"><text x="{label_width - 8}" y="{y + 14}" '
                     f'text-anchor="end"><title>{esc(label)}</title>'
                     f"{esc(clip(label, label_width // 7))}</text>")
        for j, cell in enumerate(cells[i]):
            x = label_width + cell_w * j
            pattern, edge = MARKS.get(cell.mark, ("hatch", "#e3e3e3"))
            fill = f"url(#{pattern})" if cell.value is None else _heat_fill(cell.value, vmax)
            dark = cell.value is not None and vmax > 0 and cell.value / vmax > 0.55
            kind = f" {cell.mark}" if cell.mark in MARKS else ""
            parts.append(f'<g class="cell{kind}"><title>{esc(cell.tip)}</title>'
                         f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 1:.1f}" '
                         f'height="{cell_h - 1}" fill="{fill}" stroke="{edge}" '
                         f'stroke-width="{1.5 if kind else 0.5}"/>')
            if cell.text and cell_w >= 16:
                parts.append(f'<text x="{x + cell_w / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                             f'font-size="10" fill="{"#fff" if dark else "#222"}"'
                             f' style="fill:{"#fff" if dark else "#222"}">{esc(cell.text)}</text>')
            parts.append("</g>")
        if i < len(row_notes):
            parts.append(f'<text x="{label_width + cell_w * n + 8:.1f}" y="{y + 14}" '
                         f'font-size="11">{esc(row_notes[i])}</text>')
        parts.append("</g>")
    return "".join(parts) + "</svg>"


def stacked_bars(items: Sequence[tuple[str, Sequence[float]]], parts_meta: Sequence[
        tuple[str, str]], *, width: int = 960, label_width: int = 170,
        title: str = "counts") -> str:
    """Horizontal bars, one per item, stacked by part (``parts_meta``: (label, colour))."""
    bar_h, gap, top = 16, 6, 8
    height = top + (bar_h + gap) * max(len(items), 1) + 8
    vmax = max((sum(v) for _, v in items), default=0.0) or 1.0
    span = width - label_width - 60
    out = [f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" '
           f'xmlns="http://www.w3.org/2000/svg" aria-label="{esc(title)}"><title>{esc(title)}'
           "</title>"]
    for i, (label, values) in enumerate(items):
        y = top + (bar_h + gap) * i
        out.append(f'<g class="bar"><text x="{label_width - 8}" y="{y + 12}" '
                   f'text-anchor="end"><title>{esc(label)}</title>'
                   f"{esc(clip(label, label_width // 7))}</text>")
        x = float(label_width)
        for v, (plabel, color) in zip(values, parts_meta, strict=False):
            w = v / vmax * span
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                           f'fill="{esc(color)}"><title>{esc(label)}: {esc(plabel)} '
                           f"{v:g}</title></rect>")
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + 12}">{sum(values):g}</text></g>')
    return "".join(out) + "</svg>"


def diverging_bars(items: Sequence[tuple[str, float, float]], *, left_label: str,
                   right_label: str, colors: tuple[str, str] = ("#E69F00", "#0072B2"),
                   width: int = 960, label_width: int = 200, title: str = "") -> str:
    """Bars to both sides of a centre line (e.g. a framing term's use by two groups)."""
    bar_h, gap, top = 16, 6, 26
    height = top + (bar_h + gap) * max(len(items), 1) + 8
    vmax = max((max(abs(a), abs(b)) for _, a, b in items), default=0.0) or 1.0
    mid = label_width + (width - label_width) / 2
    half = (width - label_width) / 2 - 50
    out = [f'<svg class="chart diverging" viewBox="0 0 {width} {height}" role="img" '
           f'xmlns="http://www.w3.org/2000/svg" aria-label="{esc(title or "comparison")}">'
           f'<text x="{mid - 8:.1f}" y="14" text-anchor="end" font-weight="600">'
           f'\u2190 {esc(left_label)}</text><text x="{mid + 8:.1f}" y="14" font-weight="600">'
           f'{esc(right_label)} \u2192</text>']
    for i, (label, a, b) in enumerate(items):
        y = top + (bar_h + gap) * i
        wa, wb = abs(a) / vmax * half, abs(b) / vmax * half
        out.append(f'<g class="dbar"><text x="{label_width - 8}" y="{y + 12}" '
                   f'text-anchor="end">{esc(clip(label, label_width // 7))}</text>'
                   f'<rect x="{mid - wa:.1f}" y="{y}" width="{wa:.1f}" height="{bar_h}" '
                   f'fill="{colors[0]}"><title>{esc(label)}: {esc(left_label)} {a:g}</title></rect>'
                   f'<rect x="{mid:.1f}" y="{y}" width="{wb:.1f}" height="{bar_h}" '
                   f'fill="{colors[1]}"><title>{esc(label)}: {esc(right_label)} {b:g}</title>'
                   "</rect>"
                   + (f'<text x="{mid - wa - 4:.1f}" y="{y + 12}" text-anchor="end" '
                      f'font-size="10">{a:g}</text>' if a else "")
                   + (f'<text x="{mid + wb + 4:.1f}" y="{y + 12}" font-size="10">{b:g}</text>'
                      if b else "") + "</g>")
    out.append(f'<line x1="{mid:.1f}" x2="{mid:.1f}" y1="{top - 4}" y2="{height - 4}" '
               'stroke="#333"/>')
    return "".join(out) + "</svg>"
