"""Informed consent before the first live probe.

Probing a censored site from one's own connection can be risky: the network
sees which sites were tried. Before the first probe untold shows
:data:`NOTICE`, asks for acceptance and records it (in the study's archive
directory, or in the user's config directory when no study is named). A
changed notice (``CONSENT_VERSION``) asks again. Scripts pass
``--i-understand``; a non-interactive run without it stops with a clear error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from untold.errors import ProbeError
from untold.timeutil import now_utc, to_iso

__all__ = ["CONSENT_FILE", "CONSENT_VERSION", "NOTICE", "consent_path", "ensure_consent",
           "recorded_consent"]

CONSENT_VERSION = 1  # raise when NOTICE changes in substance: everyone is asked again
CONSENT_FILE = "probe-consent.json"

NOTICE = """\
untold probe — please read before measuring from this connection

What is sent, from this computer and its internet connection:
  * DNS queries for each site's name, to this computer's resolver and to the second
    resolver you name (--resolver); plain DNS can be read by anyone on the path.
  * TCP connections and TLS handshakes to every address found. The site's name travels
    unencrypted in each handshake (SNI); where one fails, untold tries again with a
    neutral name (example.com) to tell name filtering from address blocking.
  * An HTTP(S) GET of each page, following redirects, with a User-Agent that says untold.
  * With --control: each URL and the addresses your network gave for it go to that
    helper, whose operator then sees them and your IP address.
  * With --baseline: the same steps for that (unblocked) site, for timing.

What a network observer (your provider, your employer, a government) can see:
  that this connection tried to reach each site, when, how often, and that a tool
  did it. Where visiting blocked sites is illegal or watched, this can put you at
  risk. Use a connection you may use for this, and ask someone if unsure.

What is stored on this computer:
  each measurement (URLs, times, addresses, failures, certificates, the first 128 kB
  of each page), the country, network and vantage labels you give, and untold's
  verdicts — in the study's archive, or only printed when no study is named. Your
  IP address is not stored.

What would be shared:
  nothing by untold itself. The control helper's operator sees what is described
  above. If you publish a report or export measurements, they carry the labels you gave.
"""


def config_dir() -> Path:
    """The user's untold config directory (``$UNTOLD_CONFIG_DIR`` overrides, for tests)."""
    env = os.environ.get("UNTOLD_CONFIG_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "untold"


def consent_path(archive_dir: Path | None) -> Path:
    return (archive_dir if archive_dir is not None else config_dir()) / CONSENT_FILE


def _notice_digest() -> str:
    return hashlib.sha256(NOTICE.encode()).hexdigest()


def recorded_consent(path: Path) -> dict[str, Any] | None:
    """The stored acceptance if it is for the current notice, else None."""
    if not path.is_file():
        return None
    try:
        rec = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ProbeError("the consent record cannot be read", source=str(path),
                         hint="delete it and accept the notice again") from exc
    if not isinstance(rec, dict) or rec.get("version") != CONSENT_VERSION:
        return None  # an older notice: ask again
    return rec


def _record(path: Path, how: str) -> dict[str, Any]:
    rec = {"version": CONSENT_VERSION, "accepted_at": to_iso(now_utc()), "how": how,
           "notice_sha256": _notice_digest()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ProbeError("cannot record consent", source=str(path),
                         hint="make the directory writable") from exc
    return rec


def ensure_consent(path: Path, *, i_understand: bool = False,
                   ask: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """Return the consent record, asking (``ask(notice) -> accepted``) if there is none.

    ``ask`` is None when nobody can answer (no terminal): then only
    ``i_understand`` allows the probe.
    """
    rec = recorded_consent(path)
    if rec is not None:
        return rec
    if i_understand:
        return _record(path, "flag")
    if ask is None:
        raise ProbeError("probing needs your informed consent first", source="untold probe",
                         hint="run it once in a terminal to read and accept the notice, "
                              "or read 'untold probe --notice' and pass --i-understand")
    if not ask(NOTICE):
        raise ProbeError("notice not accepted: nothing was probed", source="untold probe")
    return _record(path, "prompt")
