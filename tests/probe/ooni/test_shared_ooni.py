"""untold's verdicts against OONI's own on every shared measurement.

For each file in ../shared/data/ooni/qa and real, untold's (blocking,
accessible) must equal the file's ``test_keys`` — or the file is listed in
EXPECTED_DIFFERENCES with untold's answer and why untold is right. Run with
untold's built-in fingerprints and with OONI's full database from ../shared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from untold.probe.fingerprints import Fingerprints, load_csv, split
from untold.probe.ooni_read import read_file
from untold.probe.verdicts import score

OONI = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "ooni"
FILES = sorted([*OONI.glob("qa/*.json"), *OONI.glob("real/*.json")]) if OONI.is_dir() else []

# file -> (untold blocking, untold accessible, untold class, why untold differs and is right)
EXPECTED_DIFFERENCES: dict[str, tuple[Any, Any, str, str]] = {
    "cloudflareCAPTCHAWithHTTP.json": (
        False, False, "server_block_or_cdn_challenge",
        "the page is Cloudflare's 'Just a moment...' bot challenge, a known false positive "
        "(fp fingerprint): the server refused the probe, the network did not block it"),
    "20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json": (
        "http-diff", False, "http_blockpage",
        "archive.org answered with a 302 to lamanlabuh.aduankonten.id, Indonesia's Kominfo "
        "block page; OONI's probe saw matching status and headers and called it accessible"),
    "web_connectivity_b64_hdr.json": (
        "http-diff", False, "http_blockpage",
        "the base64 Location header decodes to http://192.168.22.1/UserCheck/PortalMain?IID=…, "
        "Check Point's URL-filter portal: a block page, not just a broken redirect"),
    "bug_351.json": (
        None, None, "probe_error",
        "the failure is the probe's own Python exception ('ascii' codec can't decode); TCP "
        "to the control's address worked and the control fetched the page: nothing was "
        "measured, so untold claims neither blocking nor access"),
    "requests_none.json": (
        False, False, "site_down",
        "the control's resolver returned only a CNAME and its own fetch failed with "
        "dns_lookup_error: the name had no address anywhere (Wikispaces closed in 2018)"),
    "web_connectivity_no_body.json": (
        None, None, "control_failed",
        "the probe's HTTPS fetch failed (certificate verify failed) and the control's failed "
        "too without saying why; a failed fetch is never 'accessible', and without a working "
        "control untold cannot tell a bad certificate from interception"),
}


def _fingerprint_sets() -> list[Any]:
    sets: list[Any] = [pytest.param("builtin", id="builtin-fingerprints")]
    sets.append(pytest.param("ooni", id="ooni-fingerprints"))
    return sets


_CACHE: dict[str, Fingerprints] = {}


def _fingerprints(kind: str) -> Fingerprints:
    if kind not in _CACHE:
        fp = Fingerprints.builtin()
        if kind == "ooni":
            d = OONI / "fingerprints"
            fp = fp + split(load_csv(d / "fingerprints_dns.csv")
                            + load_csv(d / "fingerprints_http.csv"))
        _CACHE[kind] = fp
    return _CACHE[kind]


@pytest.fixture(autouse=True)
def _need_shared() -> None:
    if not OONI.is_dir():
        pytest.skip("../shared/data/ooni not found: OONI's sample measurements are absent")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", _fingerprint_sets())
@pytest.mark.parametrize("path", FILES or [pytest.param(None, id="no-shared-data")],
                         ids=lambda p: p.name if isinstance(p, Path) else str(p))
def test_verdict_matches_ooni_or_is_explained(path: Path, kind: str) -> None:
    items = list(read_file(path))
    assert len(items) == 1, items
    where, m = items[0]
    assert isinstance(m, dict), f"{where}: {m}"
    tk = m.get("test_keys") or {}
    v = score(m, fingerprints=_fingerprints(kind))
    got = (v.blocking, v.accessible)
    assert v.rules_version and v.rule
    if path.name in EXPECTED_DIFFERENCES:
        blocking, accessible, cls, why = EXPECTED_DIFFERENCES[path.name]
        assert (tk.get("blocking"), tk.get("accessible")) != (blocking, accessible), \
            "listed as a difference but OONI agrees: remove it from the table"
        assert got == (blocking, accessible) and v.cls == cls, (why, v)
    else:
        assert got == (tk.get("blocking"), tk.get("accessible")), (v.rule, v.cls, v.detail)


def test_difference_table_names_real_files() -> None:
    names = {p.name for p in FILES}
    assert set(EXPECTED_DIFFERENCES) <= names
    assert len(FILES) >= 40  # 26 qa + the real ones: a vanished set must not pass silently


@pytest.mark.parametrize(("name", "cls"), [
    ("dnsBlockingNXDOMAIN.json", "dns_nxdomain"),
    ("dnsHijackingToLocalhostWithHTTPS.json", "dns_bogon"),
    ("ghostDNSBlockingWithHTTPS.json", "dns_inconsistent"),
    ("web_connectivity_ir_fp.json", "dns_blockpage"),
    ("throttlingWithHTTPS.json", "throttling"),
    ("redirectWithConsistentDNSAndThenTimeoutForHTTPS.json", "sni_filtering_drop"),
    ("redirectWithConsistentDNSAndThenConnectionResetForHTTP.json", "sni_filtering_reset"),
    ("httpDiffWithConsistentDNS.json", "http_diff"),
    ("websiteDownNoAddrs.json", "site_down"),
    ("badSSLWithExpiredCertificate.json", "site_down"),
    ("web_connectivity_null.json", "control_failed"),
    ("localhostWithHTTP.json", "site_down"),
])
def test_finer_classes(name: str, cls: str) -> None:
    path = next((p for p in FILES if p.name == name), None)
    assert path is not None, f"{name} missing from ../shared"
    (_, m), = read_file(path)
    assert isinstance(m, dict)
    v = score(m)
    assert v.cls == cls, (v.rule, v.detail)
    assert v.no_control == (name == "web_connectivity_null.json")
