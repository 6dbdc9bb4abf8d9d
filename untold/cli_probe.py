"""The ``untold probe`` and ``untold helper`` commands: thin, calling :mod:`untold.api` only."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from untold.errors import ProbeError, UntoldError

__all__ = ["register"]

_FORMATS = ("table", "csv", "json")


def _pairs(items: list[str] | None, what: str) -> list[tuple[str, str]]:
    out = []
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep or not k or not v:
            raise ProbeError(f"{what} {it!r} is not KEY=VALUE", source=what,
                             hint="e.g. --resolve news.example=192.0.2.7 --port https=8443")
        out.append((k.strip().lower(), v.strip()))
    return out


def _options(resolver: str | None, system_resolver: str | None, resolve: list[str] | None,
             port: list[str] | None, cafile: Path | None, **kw: Any) -> Any:
    from untold import api

    hosts: dict[str, list[str]] = {}
    for h, ip in _pairs(resolve, "--resolve"):
        hosts.setdefault(h, []).append(ip)
    ports: dict[str, int] = {}
    for scheme, p in _pairs(port, "--port"):
        if scheme not in ("http", "https") or not p.isdigit():
            raise ProbeError(f"--port {scheme}={p} must be http=N or https=N", source="--port")
        ports[scheme] = int(p)
    return api.ProbeOptions(resolver=resolver, system_resolver=system_resolver, hosts=hosts,
                            ports=ports, cafile=cafile,
                            **{k: v for k, v in kw.items() if v is not None})


Resolver = Annotated[str | None, typer.Option(
    help="Second resolver: IP[:PORT] (DNS over UDP) or an https:// DoH URL.")]
SysResolver = Annotated[str | None, typer.Option(
    help="Use this IP[:PORT] (UDP) in place of the system resolver (tests, mirrors).")]
ResolveOpt = Annotated[list[str] | None, typer.Option(
    help="HOST=IP: a static address for a host (repeatable), like curl --resolve.")]
PortOpt = Annotated[list[str] | None, typer.Option(
    help="SCHEME=PORT: connect http/https on this port (repeatable; tests, mirrors).")]
CaOpt = Annotated[Path | None, typer.Option(help="Extra CA certificates (PEM) to trust.")]
Timeout = Annotated[float | None, typer.Option(
    help="Seconds for each DNS, connect and TLS step (default 5/10/10).")]


def _ask(notice: str) -> bool:
    from untold.cli import err

    err.print(notice, markup=False, highlight=False)
    return typer.confirm("Accept and probe?", default=False, err=True)


def probe(
    targets: Annotated[list[str] | None, typer.Argument(
        help="A study file (TOML), or one or more URLs.")] = None,
    resolver: Resolver = None, system_resolver: SysResolver = None,
    resolve: ResolveOpt = None, port: PortOpt = None, cafile: CaOpt = None,
    control: Annotated[str | None, typer.Option(help="URL of an 'untold helper'.")] = None,
    baseline: Annotated[str | None, typer.Option(
        help="A large (64 kB or more) page on an unblocked host: the timing reference.")]
    = None,
    neutral_sni: Annotated[str | None, typer.Option(help="SNI for the retry.")] = None,
    timeout: Timeout = None,
    http_timeout: Annotated[float | None, typer.Option(help="Seconds for a GET.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="URLs at once.")] = None,
    per_host: Annotated[int | None, typer.Option(help="URLs of one host at once.")] = None,
    articles: Annotated[int, typer.Option(help="Stored articles per outlet.")] = 3,
    outlet: Annotated[list[str] | None, typer.Option(help="Only this outlet.")] = None,
    cc: Annotated[str | None, typer.Option(help="Your country code (label).")] = None,
    asn: Annotated[str | None, typer.Option(help="Your network's ASN, e.g. AS1234.")] = None,
    network: Annotated[str | None, typer.Option(help="Your network's name.")] = None,
    vantage: Annotated[str | None, typer.Option(help="Label for where this runs.")] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    i_understand: Annotated[bool, typer.Option(
        "--i-understand", help="Accept the consent notice (scripts; read --notice).")] = False,
    notice: Annotated[bool, typer.Option(help="Print the consent notice and exit.")] = False,
) -> None:
    """Probe reachability of URLs or a study's outlets from this network (needs consent)."""
    from untold import api
    from untold.cli import _progress

    if notice:
        sys.stdout.write(api.probe_notice())
        return
    if format not in _FORMATS:
        raise UntoldError(f"unknown format {format!r}", hint="use table, csv or json")
    targets = targets or []
    study = None
    if targets and targets[0].endswith(".toml"):
        study, targets = Path(targets[0]), targets[1:]
        if not study.is_file():
            raise UntoldError("study file not found", source=str(study))
    timeouts = {} if timeout is None else {"dns_timeout": timeout, "connect_timeout": timeout,
                                           "tls_timeout": timeout}
    opts = _options(resolver, system_resolver, resolve, port, cafile, control=control,
                    baseline=baseline, neutral_sni=neutral_sni, http_timeout=http_timeout,
                    concurrency=concurrency, per_host=per_host, probe_cc=cc, probe_asn=asn,
                    network=network, vantage=vantage, **timeouts)
    ask = _ask if sys.stdin.isatty() and not i_understand else None
    st = api.load(study) if study is not None else None  # bad input fails before the bar
    if st is None and not targets:
        raise UntoldError("nothing to probe", hint="name a study file or one or more URLs")
    api.ensure_probe_consent(st, i_understand=i_understand, ask=ask)
    t0 = time.monotonic()
    with _progress("probe") as p:
        task = p.add_task("probing", total=None, rate=0.0, info="")

        def tick(done: int, total: int, url: str) -> None:
            p.update(task, total=total, completed=done,
                     rate=done / max(time.monotonic() - t0, 1e-6), info=url[:60])

        rows = api.probe(st, targets, options=opts, i_understand=i_understand, ask=ask,
                         articles_per_outlet=articles, outlets=outlet or (), progress=tick)
    _print(rows, format)


def _row(r: dict[str, Any]) -> dict[str, Any]:
    v = r["verdict"]
    timing = r["measurement"]["test_keys"]["x_untold"]["timing"]
    rate = timing["body_bytes"] / timing["body_s"] if timing.get("body_s") else None
    return {"url": r["url"], "outlet": r["outlet"], "class": v.cls, "blocking": v.blocking,
            "accessible": v.accessible, "rule": v.rule, "no_control": v.no_control,
            "tls_s": timing["tls_handshake_s"], "baseline_tls_s":
            timing["baseline_tls_handshake_s"], "body_kBps": None if rate is None
            else round(rate / 1000, 1), "measurement_id": r["measurement_id"]}


def _print(rows: list[dict[str, Any]], fmt: str) -> None:
    from dataclasses import asdict

    from rich.markup import escape
    from rich.table import Table

    from untold.cli import out

    if fmt == "json":
        data = [{"url": r["url"], "outlet": r["outlet"], "verdict": asdict(r["verdict"]),
                 "measurement_id": r["measurement_id"], "measurement": r["measurement"]}
                for r in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    flat = [_row(r) for r in rows]
    if fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=list(flat[0]) if flat else ["url"])
        w.writeheader()
        w.writerows(flat)
        return
    t = Table(title=f"{len(flat)} URLs probed")
    for col in ("url", "class", "blocking", "rule", "tls s", "base tls s", "body kB/s"):
        t.add_column(col, overflow="fold")
    for f in flat:
        t.add_row(escape(f["url"]), escape(f["class"]) + (" (no control)" if f["no_control"]
                                                           else ""),
                  str(f["blocking"]), escape(f["rule"]), _num(f["tls_s"]),
                  _num(f["baseline_tls_s"]), _num(f["body_kBps"]))
    out.print(t)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def helper(
    listen: Annotated[str, typer.Option(help="IP:PORT to listen on.")] = "127.0.0.1:8780",
    system_resolver: SysResolver = None, resolve: ResolveOpt = None, port: PortOpt = None,
    cafile: CaOpt = None, timeout: Timeout = None,
    verbose: Annotated[bool, typer.Option(help="Log each request.")] = False,
) -> None:
    """Run the control helper (OONI web-connectivity test-helper API) until interrupted."""
    from untold import api
    from untold.cli import err

    timeouts = {} if timeout is None else {"dns_timeout": timeout, "connect_timeout": timeout,
                                           "tls_timeout": timeout}
    opts = _options(None, system_resolver, resolve, port, cafile, **timeouts)
    server = api.start_probe_helper(listen, opts, verbose=verbose)
    err.print(f"untold helper listening on {server.url}", markup=False, highlight=False)
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.print("helper stopped")
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("probe")(probe)
    app.command("helper")(helper)
