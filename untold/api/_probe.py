"""Library entry points for the live probe (re-exported by :mod:`untold.api`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from untold.api._common import StudyLike, check_outlets, load, open_archive
from untold.api._ooni import load_fingerprints
from untold.config import Study
from untold.errors import ProbeError
from untold.probe.options import ProbeOptions

__all__ = ["ARTICLES_PER_OUTLET", "ProbeOptions", "ensure_probe_consent", "probe",
           "probe_notice", "probe_targets", "start_probe_helper"]

ARTICLES_PER_OUTLET = 3  # stored article URLs probed per outlet besides its home page


def probe_notice() -> str:
    """The informed-consent notice shown before the first probe."""
    from untold.probe.consent import NOTICE

    return NOTICE


def ensure_probe_consent(study: StudyLike | None, *, i_understand: bool = False,
                         ask: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """Informed consent for probing (recorded with the study, or in the user's config)."""
    from untold.probe.consent import consent_path, ensure_consent

    st = None if study is None else load(study)
    return ensure_consent(consent_path(st.archive_dir if st else None),
                          i_understand=i_understand, ask=ask)


def probe_targets(study: StudyLike, *, articles_per_outlet: int = ARTICLES_PER_OUTLET,
                  outlets: Sequence[str] = (), seed: int | None = None
                  ) -> list[tuple[str, str]]:
    """(url, outlet_id) to probe: each outlet's home page and a sample of its stored articles."""
    st = load(study)
    chosen = [o for o in st.outlets if not outlets or o.id in outlets]
    check_outlets(st, outlets)
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    store = open_archive(st, readonly=True) if st.db_path.exists() else None
    try:
        for o in chosen:
            out.append((o.home_url, o.id))
            if store is None or articles_per_outlet <= 0:
                continue
            urls = store.outlet_article_urls(o.id)
            picks = rng.sample(urls, min(articles_per_outlet, len(urls)))
            out.extend((u, o.id) for u in picks if u != o.home_url)
    finally:
        if store is not None:
            store.close()
    return out


def probe(study: StudyLike | None, urls: Sequence[str] = (), *,
          options: ProbeOptions | None = None, i_understand: bool = False,
          ask: Callable[[str], bool] | None = None,
          articles_per_outlet: int = ARTICLES_PER_OUTLET, outlets: Sequence[str] = (),
          progress: Callable[[int, int, str], None] | None = None,
          clock: Callable[[], datetime] | None = None) -> list[dict[str, Any]]:
    """Probe URLs (or a study's outlets) from this network; score and, with a study, store.

    Asks for informed consent first (``ask(notice) -> bool``; None when no one can
    answer, then ``i_understand`` must be given). Returns one row per URL:
    ``{"url", "outlet", "measurement", "verdict", "measurement_id"}``. Verdicts use
    untold's fingerprints plus those installed for the user and the study (as
    ``ooni import`` does). ``clock`` (aware, UTC) gives the measurements' times:
    the system's unless a simulated network has its own.
    """
    from untold.probe.runner import check_url, run_probe
    from untold.probe.verdicts import score

    opts = options or ProbeOptions()
    st = None if study is None else load(study)
    if st is None and not urls:
        raise ProbeError("nothing to probe", hint="name a study file or one or more URLs")
    targets: list[tuple[str, str | None]]
    if urls:
        checked = [check_url(u) for u in urls]
        targets = [(u, _outlet_of(st, u)) for u in checked]
    else:
        assert st is not None
        targets = list(probe_targets(st, articles_per_outlet=articles_per_outlet,
                                     outlets=outlets))
    ensure_probe_consent(st, i_understand=i_understand, ask=ask)
    fp = load_fingerprints(st)  # before probing: a malformed installed file stops it early
    measurements = run_probe([u for u, _ in targets], opts, progress=progress, clock=clock)
    rows = []
    for (url, outlet), m in zip(targets, measurements, strict=True):
        rows.append({"url": url, "outlet": outlet, "measurement": m,
                     "verdict": score(m, fingerprints=fp), "measurement_id": None})
    if st is not None:
        _store(st, rows, opts)
    return rows


def _outlet_of(st: Study | None, url: str) -> str | None:
    if st is None:
        return None
    o = st.outlet_for_host(urlsplit(url).hostname or "")
    return o.id if o else None


def _store(st: Study, rows: list[dict[str, Any]], opts: ProbeOptions) -> None:
    from untold.timeutil import to_iso

    store = open_archive(st)
    try:
        store.sync_outlets(st.outlets)
        for r in rows:
            m = r["measurement"]
            began = datetime.strptime(m["measurement_start_time"], "%Y-%m-%d %H:%M:%S")
            summary = {"input": m["input"], "probe_cc": m["probe_cc"],
                       "probe_asn": m["probe_asn"], "probe_network_name": m["probe_network_name"],
                       "measurement_start_time": to_iso(began.replace(tzinfo=UTC)),
                       "test_version": m["test_version"], "report_id": m["report_id"],
                       "ooni_blocking": None, "ooni_accessible": None}
            mid, _ = store.add_measurement(
                m, source="untold", host=urlsplit(r["url"]).hostname, outlet_id=r["outlet"],
                summary=summary, vantage=opts.vantage)
            store.add_verdict(mid, r["verdict"])
            r["measurement_id"] = mid
    finally:
        store.close()


def start_probe_helper(listen: str, options: ProbeOptions | None = None, *,
                       token: str | None = None, token_file: Path | None = None,
                       allow_private: bool = False, allow_ports: Sequence[int] = (),
                       rate_per_s: float | None = None, burst: int | None = None,
                       verbose: bool = False) -> Any:
    """Bind the control helper (``untold helper``); the caller serves or starts it.

    Safe by default: a token is always required — ``token`` as given, else the one
    in ``token_file`` (default ``helper-token`` in the user's untold config
    directory), else a new one saved there with mode 0600 (``server.token_info.created``
    says so; ``server.token`` is it). Only public addresses on ports 80/443 (plus the
    options' port overrides and ``allow_ports``) are measured; ``allow_private`` is for
    tests on loopback. Each client may send ``burst`` requests at once, then
    ``rate_per_s`` (defaults: ``RATE_BURST``, ``RATE_PER_S``).
    """
    from untold.probe.control_guard import (
        RATE_BURST,
        RATE_PER_S,
        HelperPolicy,
        RateLimiter,
        plan_token,
        save_token,
    )
    from untold.probe.control_server import start_helper

    policy = HelperPolicy(allow_private=allow_private, allow_ports=frozenset(allow_ports))
    limiter = RateLimiter(RATE_PER_S if rate_per_s is None else rate_per_s,
                          RATE_BURST if burst is None else burst)
    tok = plan_token(token, token_file)
    server = start_helper(listen, options or ProbeOptions(), token=tok.value, policy=policy,
                          limiter=limiter, verbose=verbose)
    try:  # a new token is written only once the helper could listen
        tok = save_token(tok)
    except BaseException:
        server.server_close()
        raise
    server.token, server.token_info = tok.value, tok
    return server
