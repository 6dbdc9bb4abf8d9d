"""The site a host name belongs to: its registrable domain.

One answer for every caller: the canonical-URL check (is a declared canonical
on the fetched page's site?) and the importer (which uncurated outlet does a
host belong to?). The public suffix list decides (``tld`` ships a copy, and
its private section: ``a.github.io`` and ``b.github.io`` are two sites), and
nothing is stripped from what it returns: ``www.kz`` is a site of its own,
not ``kz``. International names are looked up in Unicode (the list spells IDN
suffixes that way) and returned in ASCII (punycode), so a page fetched as
``xn--e1afmkfd.xn--p1ai`` and its canonical link written as ``пример.рф``
are on one site.
"""

from __future__ import annotations

from functools import lru_cache

from tld import get_tld

from untold.net.addresses import parse_ip

__all__ = ["registrable_domain"]

DOMAIN_CACHE_MAX = 65_536  # hosts remembered: a page checks two, an import sees each often


@lru_cache(maxsize=DOMAIN_CACHE_MAX)
def registrable_domain(host: str) -> str:
    """The domain a registrar sells: public suffix + one label (``bbc.co.uk`` for
    ``news.bbc.co.uk``), lower-case ASCII.

    A host without one stands for itself: an IP address (in its standard
    spelling), ``localhost``, a name under no known suffix or a public suffix
    itself (``co.uk``), less a leading ``www.``. ``""`` for an empty host.
    """
    name = host.strip().lower().rstrip(".")
    ip = parse_ip(name)
    if ip is not None:
        return str(ip)
    if not name:
        return ""
    unicode_name = _unicode(name)
    found = get_tld(unicode_name, fix_protocol=True, fail_silently=True, as_object=True,
                    search_private=True)
    # a public suffix alone (fld == tld) is nobody's site; empty labels are no name
    if found is None or isinstance(found, str) or found.fld == found.tld or "" in \
            unicode_name.split("."):
        return _ascii(unicode_name.removeprefix("www."))
    return _ascii(str(found.fld))


def _unicode(name: str) -> str:
    """``name`` with punycode labels decoded (unchanged when one does not decode)."""
    if "xn--" not in name:
        return name
    try:
        return name.encode("ascii").decode("idna")
    except UnicodeError:
        return name


def _ascii(name: str) -> str:
    """``name`` in ASCII, punycode for IDN labels (unchanged when it cannot be)."""
    if name.isascii():
        return name
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name
