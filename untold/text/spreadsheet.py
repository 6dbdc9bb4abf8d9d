"""CSV cells that a spreadsheet opens as text, never as a formula.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets skip before looking for those) is run as a
formula when the CSV file is opened: a hostile article title such as
``=HYPERLINK("http://x","y")`` becomes a live link or worse. As OWASP
recommends, such string cells get a leading single quote, which spreadsheets
show as text. Numbers are written as numbers (``-2`` stays ``-2``), since they
come from untold, not from a page.

The report's CSV download applies the same rule in JavaScript
(``untold.report.assets``); keep :data:`FORMULA_STARTS` and that copy together.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["FORMULA_STARTS", "SafeDictWriter", "safe_cell", "safe_row"]

# the first characters that make Excel, LibreOffice and Google Sheets read a cell as a
# formula (tab and CR are skipped by some of them before that check) — OWASP's list
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: a string that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Every cell of one ``csv.DictWriter`` row made safe (see :func:`safe_cell`)."""
    return {k: safe_cell(v) for k, v in row.items()}


class SafeDictWriter(csv.DictWriter):
    """A ``csv.DictWriter`` whose cells can never start a formula in a spreadsheet.

    Use it for every CSV untold writes; the header is untold's own column names.
    """

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow(safe_row(rowdict))

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for r in rowdicts:
            self.writerow(r)
