"""Hand-made minimal Web Connectivity measurements (OONI's shape) for the rule tests.

``measurement(url)`` is one where everything worked (plain HTTP, one address, a
control that agrees); tests break one step (``fail_request``) and check the verdict.
The addresses are data only: nothing here sends traffic anywhere.
"""

from __future__ import annotations

import copy
from typing import Any

IP = "93.184.216.34"
BODY = ("<html><head><title>Example News Today</title></head><body>"
        + "<p>All the news that fits.</p>" * 200 + "</body></html>")
HEADERS = {"Content-Type": "text/html", "X-News-Backend": "web-3", "Server": "nginx"}


def _base(url: str) -> dict[str, Any]:
    https = url.startswith("https://")
    port = 443 if https else 80
    host = url.split("/")[2]
    tk: dict[str, Any] = {
        "queries": [{"hostname": host, "query_type": "A", "engine": "system", "failure": None,
                     "answers": [{"answer_type": "A", "ipv4": IP, "asn": 15133}]}],
        "tcp_connect": [{"ip": IP, "port": port, "status": {"success": True, "failure": None}}],
        "tls_handshakes": [{"address": f"{IP}:443", "server_name": host, "failure": None}]
        if https else [],
        "requests": [{"failure": None, "request": {"url": url, "method": "GET"},
                      "response": {"code": 200, "body": BODY, "headers": dict(HEADERS)}}],
        "http_experiment_failure": None,
        "dns_experiment_failure": None,
        "control_failure": None,
        "control": {
            "dns": {"failure": None, "addrs": [IP]},
            "tcp_connect": {f"{IP}:{port}": {"status": True, "failure": None}},
            "http_request": {"failure": None, "status_code": 200, "body_length": len(BODY),
                             "title": "Example News Today", "headers": dict(HEADERS)},
        },
    }
    if https:
        tk["control"]["tls_handshake"] = {
            f"{IP}:443": {"server_name": host, "status": True, "failure": None}}
    return {"input": url, "test_name": "web_connectivity", "test_version": "0.4.3",
            "probe_cc": "KZ", "probe_asn": "AS9198", "measurement_start_time":
            "2026-11-01 10:00:00", "test_keys": tk}


def measurement(url: str = "http://news.example/") -> dict[str, Any]:
    """A fresh copy of the all-worked measurement of ``url``."""
    return copy.deepcopy(_base(url))


def fail_request(m: dict[str, Any], failure: str, *, code: int = 0, body: str = "") -> None:
    """The fetch failed with ``failure`` (as OONI records it: in the request and on top)."""
    r = m["test_keys"]["requests"][0]
    r["failure"] = failure
    r["response"] = {"code": code, "body": body, "headers": {}}
    m["test_keys"]["http_experiment_failure"] = failure
