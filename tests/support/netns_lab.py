"""A censored network in Linux network namespaces, built and torn down by the tests.

::

    client C ──── router R (the censor) ──── server S (sites, honest DNS)
    10.201.1.2    10.201.1.1 | 10.201.2.254  10.201.2.x
                  10.201.3.1 ── control K (the helper) 10.201.3.2, 10.201.3.3

R forwards between its three legs and applies censorship only to what
enters from C: its own dnsmasq answers C's queries (lying for some names),
nftables rejects, drops, matches TLS SNI and HTTP request bytes, or DNATs to
a block-page / interception server on R; tc throttles one site's downloads.
Nothing here can reach any other network: the namespaces have no link to
the host's. Every name is unique per run; ``close()`` removes everything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NET_C, NET_S, NET_K = "10.201.1", "10.201.2", "10.201.3"
ROUTER_C, ROUTER_S, ROUTER_K = f"{NET_C}.1", f"{NET_S}.254", f"{NET_K}.1"
CLIENT = f"{NET_C}.2"
HONEST_DNS = f"{NET_S}.53"
CONTROL_OK, CONTROL_BLOCKED = f"{NET_K}.2", f"{NET_K}.3"
HELPER_PORT = 8780
HELPER_TOKEN = "netns-lab-helper-token-0123456789"  # the helper's secret; probes send it


def missing_prerequisite() -> str | None:
    """Why these tests cannot run here, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root (network namespaces, nftables, tc)"
    for tool in ("ip", "nft", "tc", "dnsmasq"):
        if shutil.which(tool) is None:
            return f"needs '{tool}' (Debian: iproute2, nftables, dnsmasq-base)"
    probe = f"untold-check-{uuid.uuid4().hex[:8]}"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if r.returncode != 0:
        return f"cannot create network namespaces here: {r.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class Lab:
    """The namespaces and processes of one test run."""

    def __init__(self, tmp: Path) -> None:
        tag = uuid.uuid4().hex[:8]
        self.tmp = tmp
        self.ns = {k: f"untold-{tag}-{k}" for k in ("c", "r", "s", "k")}
        self.procs: list[subprocess.Popen[Any]] = []
        self.created: list[str] = []

    # -- plumbing ------------------------------------------------------------------
    def sh(self, *cmd: str, ns: str | None = None, stdin: str | None = None) -> str:
        full = [*(["ip", "netns", "exec", self.ns[ns]] if ns else []), *cmd]
        r = subprocess.run(full, input=stdin, capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(full)} failed: {r.stderr.strip()}")
        return r.stdout

    def spawn(self, ns: str, *cmd: str, log: str, env: dict[str, str] | None = None,
              capture: bool = False) -> subprocess.Popen[Any]:
        """Start ``cmd`` in namespace ``ns``; stderr (and stdout unless captured) to a log."""
        out = open(self.tmp / f"{log}.log", "w", encoding="utf-8")  # noqa: SIM115
        p = subprocess.Popen(["ip", "netns", "exec", self.ns[ns], *cmd], cwd=REPO,
                             stdout=subprocess.PIPE if capture else out, stderr=out, text=True,
                             env={**os.environ, **(env or {})})
        self.procs.append(p)
        return p

    def wait_line(self, p: subprocess.Popen[Any], word: str, log: str,
                  timeout: float = 20) -> None:
        """Wait until the process's log says ``word``."""
        logfile = self.tmp / f"{log}.log"
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if word in logfile.read_text(encoding="utf-8"):
                return
            if p.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"{log} did not start: {logfile.read_text(encoding='utf-8')}")

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        for name in self.created:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)

    # -- topology ------------------------------------------------------------------
    def build(self, server_ips: list[str]) -> None:
        for k, name in self.ns.items():
            self.sh("ip", "netns", "add", name)
            self.created.append(name)
            self.sh("ip", "link", "set", "lo", "up", ns=k)
        self._link("c", "c0", CLIENT, "r", "rc", ROUTER_C)
        self._link("s", "s0", f"{NET_S}.10", "r", "rs", ROUTER_S)
        self._link("k", "k0", CONTROL_OK, "r", "rk", ROUTER_K)
        for ip in [*server_ips, HONEST_DNS]:
            if ip != f"{NET_S}.10":
                self.sh("ip", "addr", "add", f"{ip}/24", "dev", "s0", ns="s")
        self.sh("ip", "addr", "add", f"{CONTROL_BLOCKED}/24", "dev", "k0", ns="k")
        for k, gw in (("c", ROUTER_C), ("s", ROUTER_S), ("k", ROUTER_K)):
            self.sh("ip", "route", "add", "default", "via", gw, ns=k)
        self.sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns="r")

    def _link(self, a: str, a_if: str, a_ip: str, b: str, b_if: str, b_ip: str) -> None:
        self.sh("ip", "link", "add", a_if, "netns", self.ns[a], "type", "veth", "peer", "name",
                b_if, "netns", self.ns[b])
        for ns, ifname, ip in ((a, a_if, a_ip), (b, b_if, b_ip)):
            self.sh("ip", "addr", "add", f"{ip}/24", "dev", ifname, ns=ns)
            self.sh("ip", "link", "set", ifname, "up", ns=ns)

    def dnsmasq(self, ns: str, listen: str, *extra: str) -> None:
        pid = self.tmp / f"dnsmasq-{ns}.pid"
        self.spawn(ns, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                   "--no-resolv", "--no-hosts", "--bind-interfaces", f"--listen-address={listen}",
                   f"--pid-file={pid}", "--user=root", "--cache-size=0", *extra,
                   log=f"dnsmasq-{ns}")

    def nft(self, ns: str, ruleset: str) -> None:
        self.sh("nft", "-f", "-", ns=ns, stdin=ruleset)

    def sites(self, ns: str, cfg: dict[str, Any], log: str) -> None:
        path = self.tmp / f"{log}.json"
        path.write_text(json.dumps(cfg), encoding="utf-8")
        p = self.spawn(ns, sys.executable, "-m", "tests.support.probe_sites", str(path), log=log)
        self.wait_line(p, "ready", log)

    def helper(self, cafile: Path) -> None:
        # the lab's sites are on private addresses: --allow-private, as only a test may
        p = self.spawn("k", sys.executable, "-m", "untold", "helper", "--listen",
                       f"0.0.0.0:{HELPER_PORT}", "--system-resolver", HONEST_DNS, "--cafile",
                       str(cafile), "--timeout", "2", "--allow-private", "--token",
                       HELPER_TOKEN, log="helper")
        self.wait_line(p, "listening", "helper")

    def probe(self, urls: list[str], args: list[str], log: str) -> subprocess.Popen[Any]:
        return self.spawn("c", sys.executable, "-m", "untold", "probe", *urls, *args,
                          "--i-understand", "--format", "json", log=log, capture=True,
                          env={"UNTOLD_CONFIG_DIR": str(self.tmp / "config")})
