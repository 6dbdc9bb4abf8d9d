"""Live-probe speed: many URLs concurrently against one at a time, on loopback.

Run from the repository root::

    .venv/bin/python benchmarks/probe_speed.py                 # 1,000 URLs on 50 hosts
    .venv/bin/python benchmarks/probe_speed.py --urls 200      # a smoke run

A server process (``tests/support/probe_sites.py``) serves 50 HTTPS hosts on
127.0.0.10-59 (five of them with nothing listening, so verdicts differ) and a
DNS server on 127.0.0.1. Loopback has no latency, and probing is about
waiting, so the servers hold each DNS answer, each TLS handshake and each
response for ``--rtt`` seconds: one round trip of a distant network. The same
URLs are then probed by the same library call twice in this process:
concurrently (the default limits: 64 at once, 4 per host) and with a limit
of one. It prints both rates, the ratio (target >= 20x), and how many
verdicts differ between the runs (must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.tls import make_certs  # noqa: E402
from untold.probe.options import ProbeOptions  # noqa: E402
from untold.probe.runner import run_probe  # noqa: E402
from untold.probe.verdicts import score  # noqa: E402

TARGET_RATIO = 20.0  # the concurrent probe must be at least this many times faster
DOWN_HOSTS = 5  # hosts whose address has no server: connection refused


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--urls", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=50)
    # 100 ms: a probe in Central Asia reaching news sites hosted in Europe or the US
    ap.add_argument("--rtt", type=float, default=0.1, help="seconds held per round trip")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="untold-probe-bench-"))
    hosts = [f"site{i:02d}.test" for i in range(args.hosts)]
    addr = {h: f"127.0.0.{10 + i}" for i, h in enumerate(hosts)}
    certs = make_certs(tmp / "certs", hosts)
    https, dns_port = free_port(), free_port()
    up = hosts[DOWN_HOSTS:]
    cfg = {"certs": {"leaf_cert": str(certs.leaf_cert), "leaf_key": str(certs.leaf_key),
                     "evil_cert": str(certs.evil_cert), "evil_key": str(certs.evil_key)},
           "web": [{"site": {"rtt": args.rtt, "page_bytes": 20_000},
                    "binds": [[addr[h], https, "ok"] for h in up]}],
           "dns": [{"ip": "127.0.0.1", "port": dns_port, "delay": args.rtt,
                    "zone": {h: [addr[h]] for h in hosts}}]}
    (tmp / "sites.json").write_text(json.dumps(cfg), encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "tests.support.probe_sites",
                               str(tmp / "sites.json")], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        urls = [f"https://{hosts[i % len(hosts)]}/article/{i}" for i in range(args.urls)]
        opts = ProbeOptions(system_resolver=f"127.0.0.1:{dns_port}", ports={"https": https},
                            cafile=certs.ca_file)
        print(f"{len(urls)} URLs on {len(hosts)} hosts ({DOWN_HOSTS} down), "
              f"rtt {args.rtt * 1000:.0f} ms, limits {opts.concurrency} at once, "
              f"{opts.per_host} per host", flush=True)
        t0, c0 = time.perf_counter(), time.process_time()
        conc = run_probe(urls, opts)
        t_conc, c_conc = time.perf_counter() - t0, time.process_time() - c0
        print(f"concurrent:    {len(urls) / t_conc:8.1f} URLs/s  ({t_conc:.1f} s; probe CPU "
              f"{c_conc / len(urls) * 1000:.1f} ms/URL)", flush=True)
        t0, c0 = time.perf_counter(), time.process_time()
        seq = run_probe(urls, replace(opts, concurrency=1))
        t_seq, c_seq = time.perf_counter() - t0, time.process_time() - c0
        print(f"one at a time: {len(urls) / t_seq:8.1f} URLs/s  ({t_seq:.1f} s; probe CPU "
              f"{c_seq / len(urls) * 1000:.1f} ms/URL)", flush=True)
    finally:
        server.terminate()
        server.wait(10)
    changed = 0
    classes: dict[str, int] = {}
    for a, b in zip(conc, seq, strict=True):
        va, vb = score(a), score(b)
        classes[va.cls] = classes.get(va.cls, 0) + 1
        if (va.cls, va.blocking, va.accessible, va.rule) != (vb.cls, vb.blocking, vb.accessible,
                                                             vb.rule):
            changed += 1
            print(f"  changed: {a['input']}: {va.cls} vs {vb.cls}")
    ratio = t_seq / t_conc
    print(f"verdicts: {dict(sorted(classes.items()))}; changed between runs: {changed}")
    # the concurrent run is CPU-bound: other work on the machine lowers the ratio
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"ratio concurrent / one at a time: {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x) "
          f"{'OK' if ratio >= TARGET_RATIO else 'BELOW TARGET'}")
    assert changed == 0, f"{changed} verdicts changed between the runs"
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
