"""The ``untold probe`` and ``untold helper`` commands: thin, calling :mod:`untold.api` only."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from untold import api
from untold.cli._common import err, format_option, out, progress
from untold.errors import ConfigError, ProbeError, UsageError
from untold.text.spreadsheet import SafeDictWriter

__all__ = ["register"]

def _pairs(items: list[str] | None, what: str) -> list[tuple[str, str]]:
    out = []
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep or not k or not v:
            raise UsageError(f"{what} {it!r} is not KEY=VALUE", source=what,
                             hint="e.g. --resolve news.example=192.0.2.7 --port https=8443")
        out.append((k.strip().lower(), v.strip()))
    return out


def _options(resolver: str | None, system_resolver: str | None, resolve: list[str] | None,
             port: list[str] | None, cafile: Path | None, **kw: Any) -> Any:
    hosts: dict[str, list[str]] = {}
    for h, ip in _pairs(resolve, "--resolve"):
        hosts.setdefault(h, []).append(ip)
    ports: dict[str, int] = {}
    for scheme, p in _pairs(port, "--port"):
        if scheme not in ("http", "https") or not p.isdigit():
            raise UsageError(f"--port {scheme}={p} must be http=N or https=N", source="--port",
                             hint="e.g. --port https=8443")
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
    min=0.001, help="Seconds for each DNS, connect and TLS step (default 5/10/10).")]


def _ask(notice: str) -> bool:
    err.print(notice, markup=False, highlight=False)
    return typer.confirm("Accept and probe?", default=False, err=True)


def probe(
    targets: Annotated[list[str] | None, typer.Argument(
        help="A study file (TOML), or one or more URLs.")] = None,
    resolver: Resolver = None, system_resolver: SysResolver = None,
    resolve: ResolveOpt = None, port: PortOpt = None, cafile: CaOpt = None,
    control: Annotated[str | None, typer.Option(help="URL of an 'untold helper'.")] = None,
    token: Annotated[str | None, typer.Option(
        help="The helper's token (printed at its first start; also $UNTOLD_HELPER_TOKEN, "
             "which other users cannot see).")] = None,
    baseline: Annotated[str | None, typer.Option(
        help="A large (64 kB or more) page on an unblocked host: the timing reference.")]
    = None,
    neutral_sni: Annotated[str | None, typer.Option(help="SNI for the retry.")] = None,
    timeout: Timeout = None,
    http_timeout: Annotated[float | None, typer.Option(
        min=0.001, help="Seconds for a GET.")] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, help="URLs at once.")] = None,
    per_host: Annotated[int | None, typer.Option(
        min=1, help="URLs of one host at once.")] = None,
    articles: Annotated[int, typer.Option(min=0, help="Stored articles per outlet.")] = 3,
    outlet: Annotated[list[str] | None, typer.Option(help="Only this outlet.")] = None,
    cc: Annotated[str | None, typer.Option(help="Your country code (label).")] = None,
    asn: Annotated[str | None, typer.Option(help="Your network's ASN, e.g. AS1234.")] = None,
    network: Annotated[str | None, typer.Option(help="Your network's name.")] = None,
    vantage: Annotated[str | None, typer.Option(help="Label for where this runs.")] = None,
    format: Annotated[str, format_option("table", "csv", "json")] = "table",
    i_understand: Annotated[bool, typer.Option(
        "--i-understand", help="Accept the consent notice (scripts; read --notice).")] = False,
    notice: Annotated[bool, typer.Option(help="Print the consent notice and exit.")] = False,
) -> None:
    """Probe reachability of URLs or a study's outlets from this network (needs consent)."""
    from untold.probe.control_guard import TOKEN_ENV  # helper and probe read it alike

    if notice:
        sys.stdout.write(api.probe_notice())
        return
    targets = targets or []
    study = None
    if targets and targets[0].endswith(".toml"):
        study, targets = Path(targets[0]), targets[1:]
        if not study.is_file():
            raise ConfigError("study file not found", source=str(study),
                             hint="give the path of a study file (untold init makes one)")
    if token is None and control:
        token = os.environ.get(TOKEN_ENV) or None
    timeouts = {} if timeout is None else {"dns_timeout": timeout, "connect_timeout": timeout,
                                           "tls_timeout": timeout}
    opts = _options(resolver, system_resolver, resolve, port, cafile, control=control,
                    control_token=token, baseline=baseline, neutral_sni=neutral_sni,
                    http_timeout=http_timeout, concurrency=concurrency, per_host=per_host,
                    probe_cc=cc, probe_asn=asn, network=network, vantage=vantage, **timeouts)
    ask = _ask if sys.stdin.isatty() and not i_understand else None
    st = api.load(study) if study is not None else None  # bad input fails before the bar
    if st is None and not targets:
        raise UsageError("nothing to probe", hint="name a study file or one or more URLs")
    _warn_plain_token(opts)
    api.ensure_probe_consent(st, i_understand=i_understand, ask=ask)
    t0 = time.monotonic()
    with progress() as p:
        task = p.add_task("probing", total=None, rate=0.0, info="")

        def tick(done: int, total: int, url: str) -> None:
            p.update(task, total=total, completed=done,
                     rate=done / max(time.monotonic() - t0, 1e-6), info=url[:60])

        rows = api.probe(st, targets, options=opts, i_understand=i_understand, ask=ask,
                         articles_per_outlet=articles, outlets=outlet or (), progress=tick)
    _print(rows, format)
    _control_trouble(rows, control)


def _warn_plain_token(opts: Any) -> None:
    """A token sent in clear to another machine can be read on the way: say so."""
    from urllib.parse import urlsplit

    from untold.net.addresses import parse_ip

    if not opts.control_token or not opts.control.startswith("http://"):
        return
    host = urlsplit(opts.control).hostname or ""
    ip = parse_ip(host)
    if host == "localhost" or (ip is not None and ip.is_loopback):
        return
    err.print(f"warning: the helper's token goes to {host} unencrypted (http://); anyone on "
              "the path can read it. Put the helper behind HTTPS (see the README).",
              markup=False, highlight=False)


def _control_trouble(rows: list[dict[str, Any]], control: str | None) -> None:
    """Say why the helper gave no control, once, after the results (which are kept)."""
    from untold.probe.control import (
        CONTROL_RATE_LIMITED,
        CONTROL_REFUSED,
        CONTROL_UNAUTHORIZED,
    )

    if not control:
        return
    failures = [r["measurement"]["test_keys"].get("control_failure") for r in rows]
    n = len(failures)
    refused = failures.count(CONTROL_REFUSED)
    limited = failures.count(CONTROL_RATE_LIMITED)
    if refused:
        err.print(f"note: the helper would not measure {refused} of {n} URLs (an address "
                  "that is not public, or a port it does not connect to): no control for them",
                  markup=False, highlight=False)
    if limited:
        err.print(f"note: the helper kept answering 'too many requests' for {limited} of {n} "
                  "URLs: no control for them (fewer at once with --concurrency, or raise "
                  "the helper's --rate/--burst)", markup=False, highlight=False)
    unauthorized = failures.count(CONTROL_UNAUTHORIZED)
    if unauthorized:
        raise ProbeError(f"the helper refused this probe's token ({CONTROL_UNAUTHORIZED}) for "
                         f"{unauthorized} of {n} URLs: they were measured without a control",
                         source=control,
                         hint="pass the token the helper printed at its first start (it is "
                              "in its token file) with --token or UNTOLD_HELPER_TOKEN")


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

    if fmt == "json":
        data = [{"url": r["url"], "outlet": r["outlet"], "verdict": asdict(r["verdict"]),
                 "measurement_id": r["measurement_id"], "measurement": r["measurement"]}
                for r in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    flat = [_row(r) for r in rows]
    if fmt == "csv":
        w = SafeDictWriter(sys.stdout, fieldnames=list(flat[0]) if flat else ["url"])
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
    listen: Annotated[str, typer.Option(
        help="IP:PORT to listen on. Another address than 127.0.0.1 (e.g. 0.0.0.0:8780 on a "
             "server abroad) serves other machines: only probes with the token are "
             "answered.")] = "127.0.0.1:8780",
    token: Annotated[str | None, typer.Option(
        help="Use this token (at least 16 characters; $UNTOLD_HELPER_TOKEN keeps it off "
             "`ps`). Default: the one in --token-file, generated at the first start.")]
    = None,
    token_file: Annotated[Path | None, typer.Option(
        help="Where the token is kept (mode 0600). Default: helper-token in the untold "
             "config directory ($XDG_CONFIG_HOME/untold).")] = None,
    allow_port: Annotated[list[int] | None, typer.Option(
        help="Also connect to this port (repeatable); 80, 443 and --port overrides always.")]
    = None,
    allow_private: Annotated[bool, typer.Option(
        help="TESTS ONLY: also measure loopback, private and link-local addresses (this "
             "machine and its network).")] = False,
    rate: Annotated[float | None, typer.Option(
        help="Requests per second per client, sustained (default 5).")] = None,
    burst: Annotated[int | None, typer.Option(
        help="Requests a client may send at once (default 64).")] = None,
    system_resolver: SysResolver = None, resolve: ResolveOpt = None, port: PortOpt = None,
    cafile: CaOpt = None, timeout: Timeout = None,
    verbose: Annotated[bool, typer.Option(help="Log each request.")] = False,
) -> None:
    """Run the control helper (OONI web-connectivity test-helper API) until interrupted."""
    from untold.probe.control_guard import TOKEN_ENV

    def say(text: str) -> None:
        err.print(text, markup=False, highlight=False, soft_wrap=True)

    source = "--token"
    if token is None and os.environ.get(TOKEN_ENV):
        token, source = os.environ[TOKEN_ENV], TOKEN_ENV
    timeouts = {} if timeout is None else {"dns_timeout": timeout, "connect_timeout": timeout,
                                           "tls_timeout": timeout}
    opts = _options(None, system_resolver, resolve, port, cafile, **timeouts)
    if allow_private:
        say("warning: --allow-private: this helper measures loopback, private and link-local "
            "addresses too (this machine and its network) for anyone with the token. It is "
            "for tests on loopback only; never use it on a helper others can reach.")
    server = api.start_probe_helper(listen, opts, token=token, token_file=token_file,
                                    allow_private=allow_private, allow_ports=allow_port or (),
                                    rate_per_s=rate, burst=burst, verbose=verbose)
    info = server.token_info
    if info is not None and info.created:
        say(f"untold helper: a new token was generated and saved in {info.path} (mode 0600). "
            "It is shown only this once:")
        sys.stderr.flush()
        sys.stderr.write(f"  {info.value}\n")
        say("probes use it with: untold probe --control URL --token TOKEN "
            f"(or {TOKEN_ENV}=TOKEN)")
    elif info is not None and info.path is not None:
        say(f"untold helper: the token is in {info.path} (probes pass it with --token)")
    else:
        say(f"untold helper: using the token from {source}")
    say(f"untold helper listening on {server.url}")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("helper stopped")
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("probe")(probe)
    app.command("helper")(helper)
