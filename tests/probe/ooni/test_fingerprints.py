"""Fingerprint CSV loading, matching, malformed files, and installation."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from untold import api
from untold.errors import ImportFormatError
from untold.probe.fingerprints import Fingerprints, load_csv, parse_csv, split

REPO = Path(__file__).resolve().parents[3]
HEAD = ("name,scope,other_names,location_found,pattern_type,pattern,confidence_no_fp,"
        "expected_countries,source,exp_url,notes\n")
GOOD = HEAD + (
    "t.dns,nat,,dns,full,10.0.0.9,10,KZ,test,,\n"
    "t.full,isp,,header.server,full,BlockServer,5,,test,,\n"
    "t.prefix,isp,,header.location,prefix,http://block.example/,5,\"KZ,KG\",test,,\n"
    "t.contains,nat,,body,contains,This site is blocked,5,,test,,\n"
    "t.regexp,vbw,,body,regexp,Blocked by (Fortinet|Sophos),5,,test,,\n"
    "t.fp,fp,,body,contains,<title>Just a moment...</title>,,,test,,\n"
)


def _fp(text: str = GOOD) -> Fingerprints:
    return split(parse_csv(text, source="t.csv"))


def test_each_pattern_type_and_location() -> None:
    fp = _fp()
    assert fp.match_dns("10.0.0.9").name == "t.dns"  # type: ignore[union-attr]
    assert fp.match_dns("10.0.0.90") is None
    assert fp.match_http(None, {"server": "BlockServer"}).name == "t.full"  # type: ignore[union-attr]
    assert fp.match_http(None, {"server": "BlockServer/2"}) is None
    hit = fp.match_http(None, {"location": "http://block.example/?u=x"})
    assert hit is not None and hit.name == "t.prefix" and hit.countries == ("KZ", "KG")
    assert fp.match_http("<p>This site is blocked</p>", {}).name == "t.contains"  # type: ignore[union-attr]
    assert fp.match_http("Blocked by Sophos UTM", {}).name == "t.regexp"  # type: ignore[union-attr]
    assert fp.match_http("Blocked by Sophos UTM", {}, vague=False) is None  # vbw scope
    fpos = fp.match_http("<title>Just a moment...</title>", {})
    assert fpos is not None and fpos.false_positive
    assert fp.match_http("an ordinary page", {"server": "nginx"}) is None


@pytest.mark.parametrize(("text", "message", "line"), [
    ("name,scope\nx,nat\n", "missing column", None),
    (HEAD, "no fingerprints", None),
    (HEAD + "a,national,,body,contains,x,5,,,,\n", "unknown scope", 2),
    (HEAD + "a,nat,,body,glob,x,5,,,,\n", "unknown pattern_type", 2),
    (HEAD + "a,nat,,cookie,contains,x,5,,,,\n", "unknown location_found", 2),
    (HEAD + "a,nat,,body,contains,x,5,,,,\nb,nat,,body,regexp,(unclosed,5,,,,\n",
     "bad regexp", 3),
    (HEAD + "a,nat,,body,contains,x,y,5,,,,,,extra\n", "more fields", 2),
    (HEAD + ",nat,,body,contains,x,5,,,,\n", "empty name", 2),
])
def test_malformed_csv_names_file_and_line(tmp_path: Path, text: str, message: str,
                                           line: int | None) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFormatError) as exc:
        load_csv(p)
    assert message in str(exc.value)
    assert str(exc.value).startswith(f"{p}:{line}:" if line else f"{p}:")


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "latin.csv"
    p.write_bytes(HEAD.encode() + "a,nat,,body,contains,caf\xe9,5,,,,\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match="cannot read"):
        load_csv(p)


def test_builtin_set_loads() -> None:
    fp = Fingerprints.builtin()
    assert fp.dns and fp.http
    assert all(f.name.startswith("untold.") for f in fp.dns + fp.http)


def test_install_then_used_by_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNTOLD_DATA_DIR", str(tmp_path / "data"))
    src = tmp_path / "mine.csv"
    src.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEAD + "a,nat,,body,glob,x,5,,,,\n", encoding="utf-8")
    with pytest.raises(ImportFormatError):
        api.install_fingerprints([src, bad])
    assert not (tmp_path / "data" / "fingerprints").exists()  # nothing half-installed
    res = api.install_fingerprints([src])
    assert res == [{"path": str(tmp_path / "data" / "fingerprints" / "mine.csv"),
                    "dns": 1, "http": 5}]
    fp = api.load_fingerprints()
    assert fp.match_dns("10.0.0.9") is not None
    assert fp.match_dns("10.10.34.36") is not None  # builtin still there


@pytest.mark.slow
def test_cli_update(tmp_path: Path) -> None:
    src = tmp_path / "fingerprints_http.csv"
    src.write_text(GOOD, encoding="utf-8")
    env = {**os.environ, "UNTOLD_DATA_DIR": str(tmp_path / "d")}
    exe = str(REPO / ".venv" / "bin" / "untold")
    r = subprocess.run([exe, "ooni", "fingerprints", "update", str(src)], env=env,
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert "1 dns, 5 http" in r.stdout
    assert (tmp_path / "d" / "fingerprints" / "fingerprints_http.csv").read_text() == GOOD
    bad = tmp_path / "broken.csv"
    bad.write_text("just,some\ncolumns,here\n", encoding="utf-8")
    r = subprocess.run([exe, "ooni", "fingerprints", "update", str(bad)], env=env,
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1  # unreadable input: a failure
    assert "broken.csv" in r.stderr and "missing column" in r.stderr
