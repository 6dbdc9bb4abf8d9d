"""The example's OONI data "from another network": synthetic Web Connectivity measurements.

``ooni_measurements()`` builds, for every day of each ``scenario.OONI_PLAN`` entry at
its hour, the measurement an OONI probe on ``scenario.OONI_NETWORK`` would publish
for the outlet's home page (test_version 0.4.3: queries, tcp_connect, tls_handshakes
for https, requests, the test helper's control, and OONI's own ``blocking`` and
``accessible``). Inside a plan's block period it shows the plan's kind:

* ``tls_reset``: the TLS handshake naming the outlet is reset; the control's works
  (OONI: ``blocking`` "http-failure", ``accessible`` false);
* ``outage``: the site refuses connections from the probe and the control alike
  (OONI: ``blocking`` false, ``accessible`` false: down, not blocked).

Everything is derived from the plan: no randomness, no wall clock, so the same plan
gives byte-identical files (and a re-import adds nothing). The outlets' server
addresses are in 198.51.100.0/24 and their network is AS64500 (documentation ranges,
RFC 5737 and RFC 5398): data only, never contacted. ``write_ooni_file`` writes them
as OONI's JSON lines; ``example_fingerprints_csv`` is the OONI-format fingerprint of
the example's (fictional) block page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from untold.demo import scenario as sc

if TYPE_CHECKING:
    from untold.demo.generator import Ecosystem
    from untold.demo.scenario import DemoOutlet, OoniPlan

__all__ = ["FINGERPRINT_NAME", "OONI_FILE", "example_fingerprints_csv", "ooni_measurements",
           "write_ooni_file"]

OONI_FILE = "ooni-another-isp.jsonl"
FINGERPRINT_NAME = "untold.example_blockpage"
TEST_VERSION = "0.4.3"  # the Web Connectivity version OONI's probes published in 2025-26
SOFTWARE = ("ooniprobe-cli", "3.25.0")  # the desktop probe that publishes 0.4.3 measurements
ENGINE_VERSION = "3.25.0"
TEST_HELPER = "https://0.th.ooni.org"  # where OONI's probes ask for the control
# the outlets' servers: documentation addresses (RFC 5737), one per outlet, data only
SERVER_NET = "198.51.100"
SERVER_HOST_BASE = 10  # outlet i (in scenario.OUTLETS order) is SERVER_NET.(10 + i)
HOSTING_ASN = 64500  # documentation ASN (RFC 5398): the outlets' (fictional) host
HOSTING_ORG = "Example Hosting (documentation AS)"
RESOLVER_IP = "192.0.2.53"  # the ISP's resolver, TEST-NET-1 (RFC 5737): data only
# seconds between the session's start and one outlet's measurement (outlets run one
# after another; index in scenario.OUTLETS), and how long a measurement takes
STEP_S = 7
RUNTIME_S = {"ok": 1.2, "tls_reset": 0.4, "outage": 0.1}
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Chrome/[scrubbed] Safari/537.36")
# a control (oohelperd) measures both web ports of every address it is given
CONTROL_PORTS = (443, 80)


def _outlets(eco: Ecosystem | None) -> tuple[DemoOutlet, ...]:
    return eco.outlets if eco is not None else sc.OUTLETS


def _server_ip(outlets: tuple[DemoOutlet, ...], outlet_id: str) -> str:
    index = next(i for i, o in enumerate(outlets) if o.id == outlet_id)
    return f"{SERVER_NET}.{SERVER_HOST_BASE + index}"


def _digest(*parts: object) -> str:
    """A stable hex token for ids: the same plan always gives the same ids."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def _time(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def _home_page(o: DemoOutlet) -> str:
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{o.name}</title>"
            f"</head><body><h1>{o.name}</h1><p>Latest news from {o.name}.</p></body></html>\n")


def _headers_list(h: dict[str, str]) -> list[list[str]]:
    return [[k, v] for k, v in h.items()]


def _query(host: str, ip: str) -> dict[str, Any]:
    return {"answers": [{"asn": HOSTING_ASN, "as_org_name": HOSTING_ORG, "answer_type": "A",
                         "ipv4": ip, "ttl": None}],
            "engine": "system", "failure": None, "hostname": host, "query_type": "A",
            "resolver_hostname": None, "resolver_port": None, "resolver_address": "",
            "t": 0.021}


def _request(url: str, host: str, t: float, failure: str | None,
             response: dict[str, Any] | None) -> dict[str, Any]:
    headers = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
               "Accept-Language": "en-US,en;q=0.9", "Host": host, "User-Agent": USER_AGENT}
    return {"failure": failure,
            "request": {"body": "", "body_is_truncated": False,
                        "headers_list": _headers_list(headers), "headers": headers,
                        "method": "GET", "tor": {"exit_ip": None, "exit_name": None,
                                                 "is_tor": False},
                        "x_transport": "tcp", "url": url},
            "response": response or {"body": "", "body_is_truncated": False, "code": 0,
                                     "headers_list": None, "headers": None},
            "t": t, "tags": None}


def _test_keys(o: DemoOutlet, ip: str, state: str, at: datetime) -> dict[str, Any]:
    """Web Connectivity 0.4.3 test keys for one home-page measurement in ``state``
    ("ok", "tls_reset" or "outage")."""
    url = o.base + "/"
    host = urlsplit(url).hostname or o.domain
    https = o.https
    port = 443 if https else 80
    ep = f"{ip}:{port}"
    body = _home_page(o)
    headers = {"Content-Type": "text/html; charset=utf-8", "Date": format_datetime(at, True),
               "Server": "nginx", "Content-Length": str(len(body.encode()))}
    refused = state == "outage"
    tcp = [{"ip": ip, "port": port, "t": 0.061, "tags": None,
            "status": {"blocked": False, "failure": "connection_refused" if refused else None,
                       "success": not refused}}]
    tls: list[dict[str, Any]] | None = None
    if https and not refused:
        reset = state == "tls_reset"
        tls = [{"address": ep, "cipher_suite": "" if reset else "TLS_AES_128_GCM_SHA256",
                "failure": "connection_reset" if reset else None,
                "negotiated_protocol": "" if reset else "http/1.1", "no_tls_verify": False,
                "peer_certificates": None, "server_name": host, "t": 0.118, "tags": None,
                "tls_version": "" if reset else "TLSv1.3"}]
    failure = {"ok": None, "tls_reset": "connection_reset", "outage": "connection_refused"}[state]
    response = None if failure else {"body": body, "body_is_truncated": False, "code": 200,
                                     "headers_list": _headers_list(headers), "headers": headers}
    control_tcp = {f"{ip}:{p}": {"status": not refused,
                                 "failure": "connection_refused" if refused else None}
                   for p in CONTROL_PORTS if https or p == 80}
    control: dict[str, Any] = {
        "tcp_connect": control_tcp,
        "tls_handshake": {f"{ip}:443": {"server_name": host, "status": True, "failure": None}}
        if https and not refused else {},
        "quic_handshake": {},
        "http_request": {"body_length": -1, "discovered_h3_endpoint": "",
                         "failure": "connection_refused", "title": "", "headers": {},
                         "status_code": -1} if refused else
        {"body_length": len(body.encode()), "discovered_h3_endpoint": "", "failure": None,
         "title": o.name, "headers": headers, "status_code": 200},
        "http3_request": None,
        "dns": {"failure": None, "addrs": [ip]},
        "ip_info": {ip: {"asn": HOSTING_ASN, "flags": 11}},
    }
    ok = state == "ok"
    return {
        "agent": "redirect", "client_resolver": RESOLVER_IP, "retries": None,
        "socksproxy": None, "network_events": None,
        "queries": [_query(host, ip)],
        "dns_experiment_failure": None, "dns_consistency": "consistent",
        "control_failure": None, "control": control,
        "tcp_connect": tcp, "tls_handshakes": tls,
        "requests": [_request(url, host, 0.35 if ok else 0.12, failure, response)],
        "http_experiment_failure": failure,
        "body_length_match": True if ok else None,
        "body_proportion": 1 if ok else 0,
        "status_code_match": True if ok else None,
        "headers_match": True if ok else None,
        "title_match": True if ok else None,
        # OONI's own analysis: an outage is "down", not blocking; a reset TLS handshake
        # the control completed is an HTTP failure caused by the network
        "blocking": {"ok": False, "tls_reset": "http-failure", "outage": False}[state],
        "accessible": ok,
    }


def _state(p: OoniPlan, at: datetime, patterns: bool) -> str:
    if not patterns or p.kind is None or p.block_since is None or p.block_until is None:
        return "ok"
    return p.kind if p.block_since <= at < p.block_until else "ok"


def _days(p: OoniPlan) -> list[datetime]:
    first = p.first.replace(hour=p.hour, minute=0, second=0, microsecond=0)
    out, day = [], first
    while day.date() <= p.last.date():
        out.append(day)
        day += timedelta(days=1)
    return out


def _measurement(o: DemoOutlet, ip: str, state: str, session: datetime,
                 offset_s: int) -> dict[str, Any]:
    net = sc.OONI_NETWORK
    at = session + timedelta(seconds=offset_s)
    asn = int(net.asn.removeprefix("AS"))
    runtime = RUNTIME_S[state]
    report = f"{session:%Y%m%dT%H%M%SZ}_webconnectivity_{net.cc}_{asn}_n1_" \
             + _digest("report", net.vantage, session.isoformat())[:16]
    uid = f"{at + timedelta(seconds=runtime + 1):%Y%m%d%H%M%S}.000000_{net.cc}_" \
          f"webconnectivity_" + _digest("measurement", net.vantage, o.id, at.isoformat())[:16]
    return {
        "annotations": {"architecture": "amd64", "engine_name": "ooniprobe-engine",
                        "engine_version": ENGINE_VERSION, "network_type": "wifi",
                        "platform": "linux"},
        "data_format_version": "0.2.0",
        "input": o.base + "/",
        "measurement_start_time": _time(at),
        "measurement_uid": uid,
        "probe_asn": net.asn,
        "probe_cc": net.cc,
        "probe_ip": "127.0.0.1",  # OONI's scrubbed address
        "probe_network_name": net.name,
        "report_id": report,
        "resolver_asn": net.asn,
        "resolver_ip": RESOLVER_IP,
        "resolver_network_name": net.name,
        "software_name": SOFTWARE[0],
        "software_version": SOFTWARE[1],
        "test_helpers": {"backend": {"address": TEST_HELPER, "type": "https"}},
        "test_keys": _test_keys(o, ip, state, at),
        "test_name": "web_connectivity",
        "test_runtime": runtime,
        "test_start_time": _time(session),
        "test_version": TEST_VERSION,
    }


def ooni_measurements(eco: Ecosystem | None = None) -> list[dict[str, Any]]:
    """The example's OONI measurements, oldest first (deterministic).

    ``eco`` gives the outlets and whether patterns are planted (default: the
    example's outlets, with patterns); without patterns every measurement finds
    its outlet reachable.
    """
    outlets = _outlets(eco)
    patterns = eco.patterns if eco is not None else True
    by_id = {o.id: o for o in outlets}
    order = {o.id: i for i, o in enumerate(outlets)}
    out = []
    for p in sc.OONI_PLAN:
        o = by_id[p.outlet_id]
        ip = _server_ip(outlets, o.id)
        for session in _days(p):
            offset = STEP_S * (order[o.id] + 1)
            at = session + timedelta(seconds=offset)
            out.append(_measurement(o, ip, _state(p, at, patterns), session, offset))
    out.sort(key=lambda m: (m["measurement_start_time"], m["input"]))
    return out


def write_ooni_file(dest_dir: str | Path, eco: Ecosystem | None = None) -> Path:
    """Write the measurements as OONI's JSON lines to ``dest_dir/ooni-another-isp.jsonl``
    (replacing any earlier copy: the content is always the same for the same plan)."""
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / OONI_FILE
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for m in ooni_measurements(eco):
            fh.write(json.dumps(m, ensure_ascii=False, sort_keys=True) + "\n")
    tmp.replace(path)  # a half-written file is never left under the real name
    return path


def example_fingerprints_csv() -> str:
    """An OONI-format fingerprint CSV for the example's block page (one body row)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "scope", "other_names", "location_found", "pattern_type", "pattern",
                "confidence_no_fp", "expected_countries", "source", "exp_url", "notes"])
    w.writerow([FINGERPRINT_NAME, "nat", "", "body", "contains", sc.BLOCK_PAGE_MARK, "9",
                sc.PROBE_NETWORK.cc, "untold example", "",
                "the untold example's fictional block page (a simulated censor on a loopback "
                "network, not a real country's)"])
    return buf.getvalue()
