"""Blocking verdicts for one OONI-format measurement (Web Connectivity).

``score(measurement)`` derives observations from the raw ``test_keys`` and
evaluates untold's rules in order; the first rule that matches gives the
verdict. A verdict records its rule id and the rules version, so stored
verdicts can be told apart from those of newer rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from untold.probe.fingerprints import Fingerprints

__all__ = ["Verdict", "score"]


@dataclass(frozen=True)
class Verdict:
    """untold's verdict on one measurement.

    ``blocking`` and ``accessible`` use OONI's vocabulary ("dns", "tcp_ip",
    "http-failure", "http-diff", False, None); ``cls`` is untold's finer class
    (``dns_nxdomain``, ``sni_filtering_drop``, ...). ``no_control`` says the
    measurement had no control (or a failed one) to compare against.
    """

    rule: str
    rules_version: str
    blocking: str | bool | None
    accessible: bool | None
    cls: str
    no_control: bool
    detail: dict[str, Any] = field(default_factory=dict)


def score(measurement: dict[str, Any], *, fingerprints: Fingerprints | None = None) -> Verdict:
    """untold's verdict on a full OONI measurement (df-000 + web_connectivity keys)."""
    from untold.probe.rules import evaluate

    return evaluate(measurement, fingerprints=fingerprints)
