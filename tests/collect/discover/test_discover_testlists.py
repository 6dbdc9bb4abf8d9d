"""Citizen Lab test-list import: the real lists in ../shared and small CSVs written here."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from untold import api
from untold.collect.testlists import (
    EXPECTED_HEADER,
    OutletEntry,
    outlets_from_testlist,
    outlets_to_toml,
)
from untold.config import OutletConfig
from untold.errors import ImportFormatError, InputError

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
HOST_RE = re.compile(r"^[a-z0-9.-]+$")
HEADER = ",".join(EXPECTED_HEADER)
LISTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "citizenlab-test-lists"


def real_list(name: str) -> Path:
    path = LISTS / name
    if not path.is_file():
        pytest.skip(f"{path} not found: ../shared is absent")
    return path


def news_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["category_code"] == "NEWS"]


def check_toml(text: str, n: int) -> list[dict[str, object]]:
    """The TOML loads, has n outlets, and each one passes the study schema."""
    outlets = tomllib.loads(text)["outlets"]
    assert len(outlets) == n
    for o in outlets:
        assert set(o) == {"id", "name", "domains", "country", "languages", "groups"}
        assert ID_RE.match(o["id"]), o
        assert all(HOST_RE.match(d) and "." in d for d in o["domains"]), o
        assert o["languages"] == [] and o["groups"] == []
        OutletConfig(**o)  # the real validator of [[outlets]] tables
    assert len({o["id"] for o in outlets}) == n
    return outlets


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the real lists --------------------------------------------------------------


def test_kz_list_gives_166_news_outlets() -> None:
    path = real_list("kz.csv")
    assert len(news_rows(path)) == 166
    entries = outlets_from_testlist(path)
    assert len(entries) == 166
    assert {e.country for e in entries} == {"KZ"}
    by_domain = {e.domains[0]: e for e in entries}
    assert by_domain["newsland.com"].notes == "blocked in Kazakhstan"
    assert "minber.kz" in by_domain  # https://www.minber.kz/ -> bare host
    outlets = check_toml(outlets_to_toml(entries), 166)
    assert outlets[0]["country"] == "KZ"
    assert "# notes: blocked in Kazakhstan" in outlets_to_toml(entries)


def test_kg_list_merges_rows_of_one_host() -> None:
    path = real_list("kg.csv")
    rows = news_rows(path)
    assert len(rows) == 100
    hosts = {urlsplit(r["url"]).hostname.removeprefix("www.") for r in rows}  # type: ignore[union-attr]
    entries = outlets_from_testlist(path)
    assert len(entries) == len(hosts) < 100
    bbc = next(e for e in entries if e.domains == ("bbc.com",))
    assert bbc.urls == ("http://www.bbc.com/kyrgyz/", "http://www.bbc.com/uzbek/")
    text = outlets_to_toml(entries)
    assert "# test-list URLs: http://www.bbc.com/kyrgyz/ http://www.bbc.com/uzbek/" in text
    check_toml(text, len(hosts))


@pytest.mark.parametrize("name", ["global.csv", "ru.csv", "tj.csv", "tm.csv", "uz.csv"])
def test_every_real_list_imports_to_valid_toml(name: str) -> None:
    path = real_list(name)
    entries = outlets_from_testlist(path)
    assert entries
    assert {e.country for e in entries} == ({""} if name == "global.csv" else
                                            {name[:2].upper()})
    check_toml(outlets_to_toml(entries), len(entries))


def test_api_and_other_categories_on_a_real_list() -> None:
    path = real_list("kz.csv")
    check_toml(api.testlist_to_toml(path, country="kg"), 166)
    assert "country = \"KG\"" in api.testlist_to_toml(path, country="kg")
    polr = outlets_from_testlist(path, categories=["polr"])
    assert polr and all(e.country == "KZ" for e in polr)
    everything = outlets_from_testlist(path, categories=())
    assert len(everything) > len(polr) + 166 - 10


# -- small lists written here ------------------------------------------------------


SMALL = f"""{HEADER}
https://www.example.kz/,NEWS,News Media,2014-04-15,citizenlab,"independent, ""outspoken"" outlet"
http://example.kz/ru/,NEWS,News Media,2015-01-01,igorv,blocked in 2016
https://Example.KZ:8443/kz/,NEWS,News Media,2015-01-01,igorv,blocked in 2016
https://opposition.example.kz/,POLR,Political Criticism,2014-04-15,citizenlab,blocked in KZ
http://президент.рф/,NEWS,News Media,2020-01-01,x,"multi
line\\note with \ttab"
https://news.example.org/,NEWS,News Media,2020-01-01,x,
"""


def test_small_list_merges_hosts_and_keeps_notes(tmp_path: Path) -> None:
    entries = outlets_from_testlist(write(tmp_path, "kz.csv", SMALL))
    assert [e.id for e in entries] == ["example.kz", "xn--d1abbgf6aiiy.xn--p1ai",
                                       "news.example.org"]
    first = entries[0]
    assert first == OutletEntry(
        id="example.kz", name="example.kz", domains=("example.kz",), country="KZ",
        notes='independent, "outspoken" outlet; blocked in 2016',
        urls=("https://www.example.kz/", "http://example.kz/ru/", "https://Example.KZ:8443/kz/"))
    rf = entries[1]
    assert rf.name == "президент.рф" and rf.domains == ("xn--d1abbgf6aiiy.xn--p1ai",)
    assert rf.notes == "multi line\\note with  tab"
    text = outlets_to_toml(entries)
    outlets = check_toml(text, 3)
    assert outlets[1]["name"] == "президент.рф"
    assert '# notes: independent, "outspoken" outlet; blocked in 2016' in text
    assert all(not line.startswith("#") or "\t" not in line for line in text.splitlines())


def test_country_from_file_name_or_argument(tmp_path: Path) -> None:
    assert {e.country for e in outlets_from_testlist(write(tmp_path, "global.csv", SMALL))} == {""}
    assert {e.country for e in outlets_from_testlist(write(tmp_path, "mine.csv", SMALL))} == {""}
    path = write(tmp_path, "kz.csv", SMALL)
    assert {e.country for e in outlets_from_testlist(path, country="uz")} == {"UZ"}
    assert {e.country for e in outlets_from_testlist(path, country="")} == {""}
    with pytest.raises(InputError, match="two-letter"):
        outlets_from_testlist(path, country="Kazakhstan")


def test_categories_filter(tmp_path: Path) -> None:
    path = write(tmp_path, "kz.csv", SMALL)
    assert [e.id for e in outlets_from_testlist(path, categories=("POLR",))] == [
        "opposition.example.kz"]
    assert len(outlets_from_testlist(path, categories=("news", "polr"))) == 4
    assert len(outlets_from_testlist(path, categories=())) == 4


def test_ids_are_unique_when_long_hosts_clash(tmp_path: Path) -> None:
    stem = "a" * 30 + "-" + "b" * 29  # 60 characters, the id's base length
    rows = [f"https://{stem}{tail}.kz/,NEWS,News Media,2020-01-01,x," for tail in
            ("x", "y", "z")]
    entries = outlets_from_testlist(write(tmp_path, "kz.csv", "\n".join([HEADER, *rows])))
    assert [e.id for e in entries] == [stem, f"{stem}-2", f"{stem}-3"]
    assert len({e.domains for e in entries}) == 3
    check_toml(outlets_to_toml(entries), 3)


def test_toml_strings_are_escaped() -> None:
    nasty = 'Quote " back\\slash \n newline \t tab \x01 \x7f «Азаттық» 🙂'
    entry = OutletEntry(id="x.kz", name=nasty, domains=("x.kz",), country="KZ",
                        notes="note\nwith a second line \x00")
    text = outlets_to_toml([entry])
    loaded = tomllib.loads(text)["outlets"][0]
    assert loaded["name"] == nasty
    assert "# notes: note with a second line" in text
    assert outlets_to_toml([]) == ""


@pytest.mark.parametrize("text, expected", [
    ("link,category\nhttps://x.kz/,NEWS\n", "no url or category_code column"),
    ("category_code,notes\nNEWS,x\n", "no url column"),
    ("https://x.kz/,NEWS,News Media,2014-04-15,citizenlab,\n", "not a Citizen Lab test list"),
    ("", "header is 'nothing'"),
])
def test_wrong_header_names_file_and_expected_header(tmp_path: Path, text: str,
                                                     expected: str) -> None:
    path = write(tmp_path, "kz.csv", text)
    with pytest.raises(ImportFormatError) as info:
        outlets_from_testlist(path)
    message = str(info.value)
    assert str(path) in message and expected in message
    assert HEADER in message
    assert "\n" not in message


def test_bad_rows_and_files(tmp_path: Path) -> None:
    bad_url = write(tmp_path, "kz.csv", f"{HEADER}\nhttps://x.kz/,NEWS,,,,\nnot a url,NEWS,,,,\n")
    with pytest.raises(ImportFormatError, match="line 3: 'not a url'"):
        outlets_from_testlist(bad_url)
    latin = tmp_path / "kg.csv"
    latin.write_bytes(f"{HEADER}\nhttps://x.kg/,NEWS,,,,заблокирован\n".encode("cp1251"))
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        outlets_from_testlist(latin)
    with pytest.raises(InputError, match="not found"):
        outlets_from_testlist(tmp_path / "missing.csv")


def test_bom_and_scheme_less_rows_are_read(tmp_path: Path) -> None:
    path = tmp_path / "kz.csv"
    path.write_bytes(("\ufeff" + HEADER + "\nwww.bare.kz/news,NEWS,,,,\n").encode("utf-8"))
    assert [e.domains for e in outlets_from_testlist(path)] == [("bare.kz",)]
