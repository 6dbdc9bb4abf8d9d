"""The address policy: which IPs untold connects to on a stranger's say-so.

Pure decisions on addresses (nothing is contacted): every range the hardening
issue names (loopback, private, link-local, CGNAT, multicast, reserved, and the
IPv4-mapped and other IPv6 forms of these) is refused with its reason, and
public unicast addresses pass.
"""

from __future__ import annotations

import ipaddress

import pytest

from untold.net.addresses import is_public, parse_ip, refusal

REFUSED = [
    # address, the word the reason starts with
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("0.1.2.3", "private"),  # 0.0.0.0/8 "this network"
    ("127.0.0.1", "loopback"),
    ("127.0.0.2", "loopback"),  # the whole 127.0.0.0/8, not just .1
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("10.0.0.1", "private"),
    ("10.255.255.255", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.0.1", "private"),
    ("192.168.255.255", "private"),
    ("fc00::1", "private"),  # unique local fc00::/7
    ("fd12:3456:789a::1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata
    ("169.254.0.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),  # with a zone
    ("100.64.0.1", "shared (CGNAT)"),
    ("100.127.255.254", "shared (CGNAT)"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("ff05::2", "multicast"),
    ("240.0.0.1", "reserved"),  # 240.0.0.0/4
    ("255.255.255.255", "reserved"),  # limited broadcast
    ("100::1", "reserved"),  # discard-only 100::/64
    ("fec0::1", "site-local"),
    # documentation and benchmarking ranges: never a real outlet
    ("192.0.2.1", "private"),
    ("198.51.100.1", "private"),
    ("203.0.113.1", "private"),
    ("198.18.0.1", "private"),
    ("2001:db8::1", "private"),
    # special-purpose blocks Python 3.11 still calls global
    ("192.0.0.8", "special-purpose"),  # IETF protocol assignments (DS-Lite)
    ("192.88.99.1", "special-purpose"),  # retired 6to4 relay anycast
    ("::ffff:192.0.0.8", "special-purpose"),
    # IPv4 inside IPv6: judged by the IPv4 address
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:7f00:1", "loopback"),  # the same, written in hex
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:192.168.1.1", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:100.64.0.1", "shared (CGNAT)"),
    ("::ffff:224.0.0.1", "multicast"),
    ("::ffff:0.0.0.0", "unspecified"),
    ("::127.0.0.1", "loopback"),  # deprecated IPv4-compatible
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("64:ff9b:1::1", "private"),  # local-use NAT64
    ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
    ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
]

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1",
          "11.0.0.1", "2606:4700:4700::1111", "2001:4860:4860::8888",
          "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize("ip,why", REFUSED)
def test_non_public_addresses_are_refused_with_their_reason(ip: str, why: str) -> None:
    reason = refusal(ip)
    assert reason is not None and reason.startswith(why), (ip, reason)
    assert not is_public(ip)
    addr = parse_ip(ip)
    assert addr is not None and refusal(addr) == reason  # str and parsed agree


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_unicast_addresses_pass(ip: str) -> None:
    assert refusal(ip) is None and is_public(ip)


def test_mapped_forms_say_the_inner_address_decided() -> None:
    assert refusal("::ffff:127.0.0.1") == "loopback (IPv4 inside IPv6)"
    assert refusal("127.0.0.1") == "loopback"


@pytest.mark.parametrize("text,want", [
    ("127.0.0.1", "127.0.0.1"), (" 10.0.0.1 ", "10.0.0.1"), ("[::1]", "::1"),
    ("fe80::1%eth0", "fe80::1"), ("[fe80::1%25eth0]", "fe80::1"),
])
def test_parse_ip_accepts_brackets_and_zones(text: str, want: str) -> None:
    assert parse_ip(text) == ipaddress.ip_address(want)


@pytest.mark.parametrize("text", ["news.example", "localhost", "", "1.2.3", "::g",
                                  "127.0.0.1:80", "http://127.0.0.1/"])
def test_names_and_garbage_are_not_addresses(text: str) -> None:
    assert parse_ip(text) is None
    assert refusal(text) == "not an IP address"  # refused: never connected to unchecked
