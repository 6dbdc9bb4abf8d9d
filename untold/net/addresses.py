"""Which IP addresses untold may connect to on a stranger's say-so.

untold fetches what other people's servers point it at (links, redirects, DNS
answers), and ``untold helper`` fetches what anyone who can reach it asks for.
Neither may be turned against the machine it runs on or its network: only
public unicast addresses are connected to, unless a study (``[fetch]
allow_private = true``) or a test says otherwise.

:func:`refusal` says why an address is not public (``None`` when it is). It is
applied to the address actually connected to, after DNS resolution, so a name
that resolves (or re-resolves: DNS rebinding) to an internal address is
refused too. IPv4 addresses embedded in IPv6 forms (IPv4-mapped, IPv4-compatible,
NAT64 and 6to4) are judged by the IPv4 address inside.
"""

from __future__ import annotations

import ipaddress

__all__ = ["IPAddress", "is_public", "parse_ip", "refusal"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598 shared address space
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215 local-use NAT64
_COMPAT = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible IPv6
# IANA special-purpose blocks that Python 3.11 still calls global: protocol
# assignments (192.0.0.0/24, e.g. DS-Lite's 192.0.0.8) and the retired 6to4 relay
# anycast block; nobody publishes news there, and a router or relay may answer
_SPECIAL = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("192.88.99.0/24"))


def parse_ip(text: str) -> IPAddress | None:
    """The address in ``text`` (brackets and an IPv6 zone allowed), None if not an IP."""
    t = text.strip()
    if t.startswith("[") and t.endswith("]"):
        t = t[1:-1]
    t = t.split("%", 1)[0]  # fe80::1%eth0: the zone does not change what it is
    try:
        return ipaddress.ip_address(t)
    except ValueError:
        return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _COMPAT:
        v4 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        return v4 if ip in _NAT64 or int(v4) > 1 else None  # ::, ::1 are themselves
    return None


def refusal(ip: str | IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address ("loopback", "private", ...), or None.

    A string that is not an IP address is refused as "not an IP address".
    """
    addr = parse_ip(ip) if isinstance(ip, str) else ip
    if addr is None:
        return "not an IP address"
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_v4(addr)
        if inner is not None:
            why = refusal(inner)
            return f"{why} (IPv4 inside IPv6)" if why else None
        if addr in _NAT64_LOCAL:
            return "private (local-use NAT64)"
    if addr.is_unspecified:
        return "unspecified"
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr.is_multicast:
        return "multicast"
    if isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT:
        return "shared (CGNAT)"
    if isinstance(addr, ipaddress.IPv4Address) and any(addr in n for n in _SPECIAL):
        return "special-purpose"
    if addr.is_reserved:
        return "reserved"
    if addr.is_private:
        return "private"
    if isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local:
        return "site-local"
    if not addr.is_global:
        return "reserved"
    return None


def is_public(ip: str | IPAddress) -> bool:
    """Whether ``ip`` is a public unicast address untold may connect to by default."""
    return refusal(ip) is None
