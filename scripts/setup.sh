#!/usr/bin/env bash
# Set up untold on a fresh machine: a virtualenv in .venv with untold and its
# dependencies. With --test, also the system packages the test suite uses
# (Chromium for report tests; dnsmasq, nftables, iproute2 for the censorship
# simulation in network namespaces). Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

if [[ $want_test == 1 ]]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
  command -v nft >/dev/null || need+=(nftables)
  command -v ip >/dev/null || need+=(iproute2)
  command -v tc >/dev/null || need+=(iproute2)
  command -v openssl >/dev/null || need+=(openssl)
  if (( ${#need[@]} )); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      echo "setup: installing system packages: ${need[*]}" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "setup: missing ${need[*]} (tests that need them will skip)" >&2
    fi
  fi
fi

py=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$py" -m venv .venv
fi
stamp=.venv/.untold-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi
