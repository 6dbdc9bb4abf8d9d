"""Blocking verdicts for one OONI-format measurement (Web Connectivity).

``score(measurement)`` derives observations from the raw ``test_keys`` and
evaluates untold's rules in order; the first rule that matches gives the
verdict. A verdict (``untold.models.Verdict``) records its rule id and the
rules version, so stored verdicts can be told apart from those of newer rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from untold.models import Verdict
from untold.probe.rules import evaluate

if TYPE_CHECKING:
    from untold.probe.fingerprints import Fingerprints

__all__ = ["Verdict", "score"]


def score(measurement: dict[str, Any], *, fingerprints: Fingerprints | None = None) -> Verdict:
    """untold's verdict on a full OONI measurement (df-000 + web_connectivity keys)."""
    return evaluate(measurement, fingerprints=fingerprints)
