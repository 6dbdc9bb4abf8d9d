"""One registrable-domain rule for the canonical check and the importer.

The canonical check used courlan's ``extract_domain`` (None without a public
suffix, and ``www``-stripping of the *result*: ``news.www.kz`` -> ``kz``); the
importer called ``tld`` itself, a package it did not declare, after stripping
``www.`` from the *host* (``www.kz`` -> ``kz``). The cases below are where the
two (or both, against the public suffix list) went wrong.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from untold.collect import warcimport_outlets
from untold.collect.warcimport_outlets import uncurated_outlet
from untold.extract import canonical
from untold.extract.canonical import same_site
from untold.net import domains
from untold.net.domains import registrable_domain

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("host", "domain"), [
    # agreed before, and still so
    ("news.bbc.co.uk", "bbc.co.uk"),
    ("www.bbc.co.uk", "bbc.co.uk"),
    ("a.b.c.example.co.uk", "example.co.uk"),
    ("www.tengrinews.kz", "tengrinews.kz"),
    ("m.zakon.com.kz", "zakon.com.kz"),
    ("akorda.gov.kz", "akorda.gov.kz"),
    ("akipress.org.kg", "akipress.org.kg"),
    ("www.24.kg", "24.kg"),
    ("m.lenta.ru", "lenta.ru"),
    ("news.msk.ru", "news.msk.ru"),  # msk.ru is a public suffix
    ("a.b.kaktus.media", "kaktus.media"),
    ("a.github.io", "a.github.io"),  # the list's private section: each user a site
    ("WWW.Example.COM.", "example.com"),
    ("127.0.0.1", "127.0.0.1"),
    ("localhost", "localhost"),
    ("foo.localhost", "foo.localhost"),
    ("example.local", "example.local"),
    ("co.uk", "co.uk"),  # a public suffix alone is nobody's site: itself
    ("kz", "kz"),
    ("", ""),
    # disagreed: courlan stripped "www" from the answer, kz and www.kz one site
    ("news.www.kz", "www.kz"),
    ("www2.kz", "www2.kz"),
    # wrong in both: "www." was stripped before the lookup (the importer) or after it
    # (courlan), though www.<suffix> is a registrable domain of its own
    ("www.kz", "www.kz"),
    ("www.com.kz", "www.com.kz"),
    ("www.co.uk", "www.co.uk"),
    ("www.github.io", "www.github.io"),
    # disagreed: no registrable domain; courlan said None, the importer the host less
    # "www." (kept: that is what the host stands for)
    ("www.localhost", "localhost"),
    ("www.foo.invalidtld", "foo.invalidtld"),
    # IDN: looked up in Unicode, answered in ASCII whichever spelling came in
    ("новости.пример.рф", "xn--e1afmkfd.xn--p1ai"),
    ("www.xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"),
    ("a.個人.香港", "a.xn--gmqw5a.xn--j6w193g"),  # a two-label Unicode suffix
    # IP addresses in their standard spelling, brackets or not
    ("[::1]", "::1"),
    ("2001:DB8::1", "2001:db8::1"),
    # an empty label is no DNS name: both answered b.com
    ("a..b.com", "a..b.com"),
])
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_both_callers_use_the_one_function() -> None:
    assert warcimport_outlets.registrable_domain is domains.registrable_domain
    assert vars(canonical)["registrable_domain"] is domains.registrable_domain
    # and the suffix list is read in one place only, from a declared dependency
    users = [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "untold").rglob("*.py"))
             if "tld" in _imported_packages(path)]
    assert users == ["untold/net/domains.py"]
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.split(">")[0].split("=")[0].strip() == "tld" for d in deps)


def _imported_packages(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_same_site_where_the_rules_disagreed() -> None:
    # www2.kz and www.kz are two sites (courlan made both "kz")
    assert not same_site("https://www2.kz/a", "https://www.kz/b")
    assert same_site("https://news.www.kz/a", "https://www.kz/b")
    # a canonical written in Unicode on a page fetched in punycode: one site
    assert same_site("http://пример.рф/a", "http://xn--e1afmkfd.xn--p1ai/b")
    assert same_site("http://новости.пример.рф/a", "http://www.xn--e1afmkfd.xn--p1ai/b")
    # a public suffix and a site under it are not one site
    assert not same_site("https://www.co.uk/x", "https://co.uk/x")
    # unchanged: the registrable domain, else the host
    assert same_site("https://news.bbc.co.uk/x", "https://www.bbc.co.uk/y")
    assert not same_site("https://a.github.io/x", "https://b.github.io/x")
    assert same_site("http://127.0.0.1:8080/a", "http://127.0.0.1:9090/b")
    assert not same_site("http://127.0.0.2/a", "http://127.0.0.1/b")
    assert not same_site("http:///a", "http:///b")  # no host: nothing to be the same


def test_uncurated_outlets_where_the_rules_disagreed() -> None:
    assert uncurated_outlet("www.kz").id == "www.kz"  # was "kz": a public suffix
    assert uncurated_outlet("news.www.kz").id == "www.kz"
    assert uncurated_outlet("www.localhost").id == "localhost"
    o = uncurated_outlet("xn--e1afmkfd.xn--p1ai")
    assert o.id == "xn--e1afmkfd.xn--p1ai" and o.name == "пример.рф"
