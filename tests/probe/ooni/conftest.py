"""Fixtures of the rule tests: hand-made minimal Web Connectivity measurements
(built in tests/support/ooni_measurements.py).

``mk()`` returns a measurement where everything worked (plain HTTP, one
address, a control that agrees); tests break one step and check the verdict.
The addresses are data only: nothing here sends traffic anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.ooni_measurements import fail_request, measurement


@pytest.fixture
def mk() -> Callable[..., dict[str, Any]]:
    return measurement


@pytest.fixture
def fail() -> Callable[..., None]:
    return fail_request
