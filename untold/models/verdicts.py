"""Verdicts: untold's blocking verdict on one network measurement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Verdict"]


@dataclass(frozen=True)
class Verdict:
    """untold's blocking verdict on one measurement (made by ``probe.rules``).

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
