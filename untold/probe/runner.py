"""Measure many URLs at once, each as one OONI Web Connectivity measurement.

Per URL (as OONI's web_connectivity, with untold's additions under
``test_keys.x_untold``): DNS through the system resolver and the user's second
resolver; TCP connect to every address found (the URL's port); for https a
TLS handshake with the real SNI on each, and a neutral-SNI retry where it
failed; a GET over the first address that worked, redirects followed; the
control's view in parallel. ``t`` values are seconds since the run started.

Wall-clock times (the run's ``test_start_time``, each ``measurement_start_time``
and the report id) come from the run's clock, ``datetime.now(UTC)`` unless the
caller gives one: a simulated network (the demo) records measurements at its own
time. Durations always come from the monotonic clock.

URLs run concurrently under a global limit and a per-host limit; DNS answers
are shared by the URLs of a host within a run. A baseline host, measured
once per run, gives the TLS handshake time and download rate to compare with.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from untold.errors import ProbeError
from untold.probe.control import ask_control
from untold.probe.dns import Resolvers, addresses
from untold.probe.http import fetch, request_entry
from untold.probe.ooni_envelope import make_measurement, ooni_time
from untold.probe.options import ProbeOptions
from untold.probe.tcptls import TcpTls, close_quietly, connect, handshake_only

__all__ = ["MAX_ADDRESSES", "TEST_VERSION", "Clock", "Run", "probe_urls", "run_probe"]

TEST_VERSION = "0.4.3"  # the web_connectivity version whose test_keys shape we follow
MAX_ADDRESSES = 8  # addresses tried per URL: enough for any CDN answer, bounded for a probe
# a connection idle longer than this may have been dropped by the server: open a new one
HANDOFF_MAX_IDLE_S = 2.0
# a smaller page arrives in one TCP window: its "rate" would only measure the machine
BASELINE_MIN_BYTES = 64 * 1024
BASELINE_HANDSHAKES = 3  # median of three: one slow handshake must not set the baseline

Progress = Callable[[int, int, str], None]
Clock = Callable[[], datetime]  # an aware datetime (UTC) for "now"


def _system_clock() -> datetime:
    return datetime.now(UTC)


def check_url(url: str) -> str:
    p = urlsplit(url.strip())
    if p.scheme not in ("http", "https") or not p.hostname:
        raise ProbeError("not an http(s) URL with a host", source=url,
                         hint="write it as https://example.org/path")
    return url.strip()


class Run:
    """One probe run: shared resolvers, limits and baseline; ``clock`` gives wall time."""

    def __init__(self, opts: ProbeOptions, *, clock: Clock | None = None) -> None:
        self.opts = opts
        self.clock = clock or _system_clock
        self.start = time.monotonic()
        self.started = self.wall()
        self.report_id = f"{self.started:%Y%m%dT%H%M%SZ}_untold_{uuid.uuid4().hex[:12]}"
        self.resolvers = Resolvers(opts, self.start)
        self.limit = asyncio.Semaphore(opts.concurrency)
        self.hosts: dict[str, asyncio.Semaphore] = {}
        self.baseline: dict[str, Any] = {"url": opts.baseline, "tls_handshake_s": None,
                                         "body_bps": None, "body_bytes": 0, "failure": None}

    def now(self) -> float:
        return time.monotonic() - self.start

    def wall(self) -> datetime:
        """The clock's time in UTC; a time without a zone would be stored as the
        wrong hour wherever the caller's clock is not UTC, so it is refused."""
        t = self.clock()
        if t.tzinfo is None or t.utcoffset() is None:
            raise ProbeError("the probe's clock gave a time without a zone", source=repr(t),
                             hint="return an aware datetime, e.g. datetime.now(UTC)")
        return t.astimezone(UTC)

    async def resolve(self, host: str) -> str | None:
        """An address for a redirect's host, from the system resolver."""
        return next(iter(addresses(await self.resolvers.system(host))), None)

    async def measure_baseline(self) -> None:
        url = self.opts.baseline
        if not url:
            return
        p = urlsplit(url)
        host = p.hostname or ""
        port = self.opts.port_for(p.scheme, p.port)
        ips = addresses(await self.resolvers.system(host))
        if not ips:
            self.baseline["failure"] = "baseline_dns_failure"
            return
        if p.scheme == "https":
            times: list[float] = []
            for _ in range(BASELINE_HANDSHAKES):
                r = await connect(ips[0], port, sni=host, ctx=self.opts.verify_context,
                                  connect_timeout=self.opts.connect_timeout,
                                  tls_timeout=self.opts.tls_timeout, start=self.start)
                if r.tls_handshake_s is None:
                    self.baseline["failure"] = (r.tls or {}).get("failure") \
                        or r.tcp["status"]["failure"]
                    return
                times.append(r.tls_handshake_s)
            self.baseline["tls_handshake_s"] = round(statistics.median(times), 6)
        got = await fetch(url, self.opts, pins={host: ips[0]}, resolve=self.resolve,
                          start=self.start)
        self.baseline["failure"] = got.failure
        self.baseline["body_bytes"] = got.body_bytes
        if got.body_s and got.body_bytes >= BASELINE_MIN_BYTES:
            self.baseline["body_bps"] = round(got.body_bytes / got.body_s, 1)

    async def measure(self, url: str) -> dict[str, Any]:
        host = (urlsplit(url).hostname or "").lower()
        sem = self.hosts.setdefault(host, asyncio.Semaphore(self.opts.per_host))
        async with self.limit, sem:
            return await self._measure(url)

    async def _measure(self, url: str) -> dict[str, Any]:
        opts = self.opts
        began, t_begin = self.wall(), time.monotonic()
        p = urlsplit(url)
        host = (p.hostname or "").lower()
        https = p.scheme == "https"
        port = opts.port_for(p.scheme, p.port)
        sys_q, alt_q = await asyncio.gather(self.resolvers.system(host),
                                            self.resolvers.second(host))
        sys_ips = addresses(sys_q)
        ips = list(dict.fromkeys([*sys_ips, *(addresses(alt_q) if alt_q else [])]))
        ips = ips[:MAX_ADDRESSES]
        control_task = None
        if opts.control:
            control_task = asyncio.ensure_future(ask_control(
                url, [_ep(a, port) for a in sys_ips], opts, self.resolve))
        results = await asyncio.gather(*(
            connect(ip, port, sni=host if https else None, ctx=opts.verify_context,
                    connect_timeout=opts.connect_timeout, tls_timeout=opts.tls_timeout,
                    start=self.start, keep=ip in sys_ips) for ip in ips))
        by_ip = dict(zip(ips, results, strict=True))
        try:
            return await self._finish(url, began, t_begin, host, https, port, sys_q, alt_q,
                                      sys_ips, results, by_ip, control_task)
        finally:  # connections the GET did not take
            await asyncio.gather(*(r.aclose() for r in results))

    async def _finish(self, url: str, began: datetime, t_begin: float, host: str, https: bool,
                      port: int, sys_q: dict[str, Any], alt_q: dict[str, Any] | None,
                      sys_ips: list[str], results: list[TcpTls], by_ip: dict[str, TcpTls],
                      control_task: asyncio.Future[Any] | None) -> dict[str, Any]:
        opts = self.opts
        retries = await asyncio.gather(*(
            handshake_only(ip, port, opts.neutral_sni, opts.noverify_context,
                           connect_timeout=opts.connect_timeout, tls_timeout=opts.tls_timeout,
                           start=self.start)
            for ip, r in by_ip.items() if r.tcp_ok and r.tls is not None and not r.tls_ok))
        requests, fetched = await self._get(url, host, port, https, sys_q, sys_ips, by_ip)
        control, control_failure = ({}, None)
        if control_task is not None:
            control, control_failure = await control_task
        chosen = next((by_ip[a] for a in sys_ips if by_ip.get(a) and by_ip[a].tls_ok), None)
        timing = {
            "tls_handshake_s": round(chosen.tls_handshake_s, 6)
            if chosen and chosen.tls_handshake_s is not None else None,
            "baseline_tls_handshake_s": self.baseline["tls_handshake_s"],
            "body_bytes": fetched.body_bytes if fetched else 0,
            "body_s": round(fetched.body_s, 6) if fetched and fetched.body_s is not None
            else None,
            "baseline_body_bps": self.baseline["body_bps"],
        }
        keys: dict[str, Any] = {
            "agent": "redirect", "client_resolver": None, "retries": None,
            "socksproxy": None,
            "queries": [q for q in (sys_q, alt_q) if q is not None],
            "tcp_connect": [r.tcp for r in results],
            "tls_handshakes": [r.tls for r in results if r.tls is not None],
            "requests": requests,
            "dns_experiment_failure": sys_q["failure"],
            "http_experiment_failure": requests[0]["failure"] if requests else None,
            "control": control, "control_failure": control_failure,
            "x_untold": {"sni_retry": list(retries), "timing": timing,
                         "control_vantage": opts.control,
                         "baseline": dict(self.baseline),
                         "second_resolver": opts.resolver},
        }
        m = make_measurement(
            keys, input=url, probe_cc=opts.probe_cc, probe_asn=opts.probe_asn,
            probe_network_name=opts.network, start=began,
            runtime_s=time.monotonic() - t_begin, test_helper=opts.control,
            annotations={"vantage": opts.vantage} if opts.vantage else None,
            test_version=TEST_VERSION, measurement_uid=f"untold_{uuid.uuid4().hex}")
        m["report_id"] = self.report_id
        m["test_start_time"] = ooni_time(self.started)
        return m

    async def _get(self, url: str, host: str, port: int, https: bool, sys_q: dict[str, Any],
                   sys_ips: list[str], by_ip: dict[str, TcpTls]) -> tuple[list[Any], Any]:
        """The GET over the first system address that worked, or the reason there is none."""
        headers = {"User-Agent": self.opts.user_agent}
        if sys_q["failure"] is not None or not sys_ips:
            t = self.now()
            return [request_entry(url, headers, t, t, sys_q["failure"] or "dns_no_answer",
                                  None)], None
        ok = [a for a in sys_ips if (by_ip[a].tls_ok if https else by_ip[a].tcp_ok)]
        if not ok:
            # the GET would meet the same failure again (and wait out the same timeout)
            first = by_ip[sys_ips[0]]
            failure = first.tcp["status"]["failure"] if not first.tcp_ok \
                else (first.tls or {}).get("failure")
            t = self.now()
            return [request_entry(url, headers, t, t, failure, None)], None
        chosen = by_ip[ok[0]]
        handoff = None
        fresh = time.monotonic() - chosen.ready_at < HANDOFF_MAX_IDLE_S
        if chosen.stream is not None and fresh:  # the GET uses the connection just measured
            handoff, chosen.stream = (host, port, chosen.stream), None
        got = await fetch(url, self.opts, pins={host: ok[0]}, resolve=self.resolve,
                          start=self.start, handoff=handoff)
        if handoff is not None:
            await close_quietly(handoff[2])  # in case the GET never took it
        return got.requests, got


def _ep(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


async def probe_urls(urls: Sequence[str], opts: ProbeOptions, *,
                     progress: Progress | None = None,
                     clock: Clock | None = None) -> list[dict[str, Any]]:
    """Measure ``urls`` concurrently; the measurements in the order of ``urls``.
    ``clock`` gives the wall-clock times recorded (default: the system's, in UTC)."""
    urls = [check_url(u) for u in urls]
    run = Run(opts, clock=clock)
    await run.measure_baseline()
    done = 0

    async def one(u: str) -> dict[str, Any]:
        nonlocal done
        m = await run.measure(u)
        done += 1
        if progress is not None:
            progress(done, len(urls), u)
        return m

    return list(await asyncio.gather(*(one(u) for u in urls)))


def run_probe(urls: Sequence[str], opts: ProbeOptions, *,
              progress: Progress | None = None,
              clock: Clock | None = None) -> list[dict[str, Any]]:
    """Blocking wrapper of :func:`probe_urls`."""
    return asyncio.run(probe_urls(urls, opts, progress=progress, clock=clock))
