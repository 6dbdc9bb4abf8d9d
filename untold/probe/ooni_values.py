"""Coercing the loosely typed values of OONI JSON (nulls, lists, base64 objects)."""

from __future__ import annotations

from typing import Any

__all__ = ["as_dict", "as_int", "dicts", "failure", "headers", "tags", "text"]


def tags(entry: dict[str, Any]) -> list[str]:
    tags = entry.get("tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def failure(value: Any) -> str | None:
    """A failure field: null, or a string (anything else is a failure of unknown form)."""
    if value is None or isinstance(value, str):
        return value
    return "unknown_failure"


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k).lower(): text(v) for k, v in value.items()}


def text(value: Any) -> str:
    """Body/header values: a string, a list (HTTP/1 repeats), or OONI's base64 object."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict) and value.get("format") == "base64":
        import base64
        import binascii

        try:
            return base64.b64decode(str(value.get("data", ""))).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return ""  # damaged base64: no text to compare, the rest of the record stands
    return "" if value is None else str(value)


def as_int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
