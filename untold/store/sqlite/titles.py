"""Outlet title templates of the SQLite backend (``untold.extract.titles``).

An outlet's learned prefixes and suffixes are kept in ``title_affixes`` for good;
``rewrite_titles`` removes them from the stored titles of its articles and of
their later versions (so a revisit compares like with like), and keeps the
full-text index's title column in step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from untold.text.textindex import index_text
from untold.timeutil import now_utc, to_iso

__all__ = ["TitlesMixin"]

_ESCAPE = "\\"  # LIKE escape character for affixes holding % or _


def _like(text: str) -> str:
    return (text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%")
            .replace("_", _ESCAPE + "_"))


def _carries(column: str, n: int) -> str:
    """SQL: ``column`` matches one of ``n`` LIKE patterns (a prefilter; Python decides)."""
    return " OR ".join([f"{column} LIKE ? ESCAPE '{_ESCAPE}'"] * n)


class TitlesMixin:
    """Methods mixed into SQLiteStore; ``conn`` and ``transaction`` come from it."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def recent_titles(self, outlet_id: str, limit: int) -> list[str]:
        """The titles of the outlet's latest stored articles (newest first)."""
        return [r[0] for r in self.conn.execute(
            "SELECT title FROM articles WHERE outlet_id=? AND title != '' "
            "ORDER BY id DESC LIMIT ?", (outlet_id, limit))]

    def title_affixes(self, outlet_id: str) -> tuple[list[str], list[str]]:
        """The outlet's learned (prefixes, suffixes)."""
        pre: list[str] = []
        suf: list[str] = []
        for position, affix in self.conn.execute(
                "SELECT position, affix FROM title_affixes WHERE outlet_id=? ORDER BY affix",
                (outlet_id,)):
            (pre if position == "prefix" else suf).append(affix)
        return pre, suf

    def add_title_affixes(self, outlet_id: str, prefixes: Sequence[str],
                          suffixes: Sequence[str], titles: int) -> None:
        """Keep newly learned affixes (``titles``: how many titles they were learned from)."""
        now = to_iso(now_utc())
        rows = ([(outlet_id, "prefix", a, titles, now) for a in prefixes]
                + [(outlet_id, "suffix", a, titles, now) for a in suffixes])
        with self.transaction() as c:
            c.executemany("INSERT OR IGNORE INTO title_affixes "
                          "(outlet_id, position, affix, titles, learned_at) VALUES (?,?,?,?,?)",
                          rows)

    def rewrite_titles(self, outlet_id: str, prefixes: Sequence[str], suffixes: Sequence[str],
                       strip: Callable[[str], str]) -> int:
        """Apply ``strip`` to the outlet's titles that carry one of the affixes; return how
        many titles (articles and versions) changed. One transaction."""
        n = len(prefixes) + len(suffixes)
        if not n:
            return 0
        args = [_like(p) + "%" for p in prefixes] + ["%" + _like(s) for s in suffixes]
        changed = 0
        with self.transaction() as c:
            rows = c.execute(f"SELECT id, title, text FROM articles WHERE outlet_id=? AND "
                             f"({_carries('title', n)})", [outlet_id, *args]).fetchall()
            for aid, old, text in rows:
                new = strip(old)
                if new == old:
                    continue
                c.execute("UPDATE articles SET title=? WHERE id=?", (new, aid))
                # contentless FTS5: a row is replaced by deleting the exact values it was
                # indexed with (the same stems, recomputed) and inserting the new ones
                body = index_text(text)
                c.execute("INSERT INTO articles_fts (articles_fts, rowid, title, body) "
                          "VALUES ('delete', ?, ?, ?)", (aid, index_text(old), body))
                c.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?,?,?)",
                          (aid, index_text(new), body))
                changed += 1
            versions = c.execute(
                f"SELECT v.id, v.title FROM article_versions v JOIN articles a "
                f"ON a.id = v.article_id WHERE a.outlet_id=? AND ({_carries('v.title', n)})",
                [outlet_id, *args]).fetchall()
            for vid, old in versions:
                new = strip(old)
                if new != old:
                    c.execute("UPDATE article_versions SET title=? WHERE id=?", (new, vid))
                    changed += 1
        return changed
