"""Reading OONI files: JSON, JSONL, gzip, API answers, and broken input."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from untold.errors import InputError
from untold.probe.ooni_read import read_file

Mk = Callable[..., dict[str, Any]]


def _split(path: Path) -> tuple[list[dict[str, Any]], list[InputError]]:
    ok: list[dict[str, Any]] = []
    bad: list[InputError] = []
    for _, m in read_file(path):
        if isinstance(m, InputError):
            bad.append(m)
        else:
            ok.append(m)
    return ok, bad


def test_pretty_json_and_jsonl_and_gzip(tmp_path: Path, mk: Mk) -> None:
    a, b = mk("http://a.example/"), mk("http://b.example/")
    (tmp_path / "one.json").write_text(json.dumps(a, indent=2))
    (tmp_path / "many.jsonl").write_text(json.dumps(a) + "\n\n" + json.dumps(b) + "\n")
    with gzip.open(tmp_path / "many.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(a) + "\n" + json.dumps(b) + "\n")
    with gzip.open(tmp_path / "one.json.gz", "wt") as fh:
        fh.write(json.dumps(a, indent=1))
    assert [m["input"] for m in _split(tmp_path / "one.json")[0]] == ["http://a.example/"]
    for name in ("many.jsonl", "many.jsonl.gz"):
        ok, bad = _split(tmp_path / name)
        assert [m["input"] for m in ok] == ["http://a.example/", "http://b.example/"]
        assert not bad
    assert len(_split(tmp_path / "one.json.gz")[0]) == 1


def test_api_answers(tmp_path: Path, mk: Mk) -> None:
    a = mk()
    (tmp_path / "meta.json").write_text(json.dumps(
        {"measurement_uid": "x", "raw_measurement": json.dumps(a)}))
    (tmp_path / "list.json").write_text(json.dumps(
        {"metadata": {}, "results": [{"raw_measurement": a},
                                     {"measurement_url": "https://api.ooni.io/x",
                                      "input": "http://a/"}]}))
    assert len(_split(tmp_path / "meta.json")[0]) == 1
    ok, bad = _split(tmp_path / "list.json")
    assert len(ok) == 1 and len(bad) == 1
    assert "results[1]" in str(bad[0]) and "raw_measurement" in str(bad[0])


def test_bad_items_do_not_stop_the_file(tmp_path: Path, mk: Mk) -> None:
    good = json.dumps(mk())
    other = json.dumps({"test_name": "telegram", "test_keys": {}})
    p = tmp_path / "mixed.jsonl"
    p.write_text("\n".join([good, "null", "{broken", other, "[1, 2]", good]) + "\n")
    ok, bad = _split(p)
    assert len(ok) == 2
    msgs = [str(e) for e in bad]
    assert msgs[0].startswith(f"{p}:2: null, not a measurement")
    assert msgs[1].startswith(f"{p}:3: not JSON")
    assert msgs[2].startswith(f"{p}:4: test_name is 'telegram'")
    assert msgs[3].startswith(f"{p}:5[0]: int, not a measurement")


def test_damaged_first_line_keeps_the_rest(tmp_path: Path, mk: Mk) -> None:
    p = tmp_path / "head.jsonl"
    p.write_text('{"input": \n' + json.dumps(mk()) + "\n")
    ok, bad = _split(p)
    assert len(ok) == 1 and len(bad) == 1 and str(bad[0]).startswith(f"{p}:1")


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path, mk: Mk) -> None:
    p = tmp_path / "cut.jsonl.gz"
    lines = "".join(json.dumps(mk(f"http://n{i}.example/")) + "\n" for i in range(200))
    data = gzip.compress(lines.encode())
    p.write_bytes(data[: len(data) - 40])
    ok, bad = _split(p)
    assert 0 < len(ok) < 200
    assert len(bad) == 1 and "truncated" in str(bad[0])


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"[1, {"])
def test_unreadable_files(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "x.json"
    p.write_bytes(content)
    ok, bad = _split(p)
    assert not ok
    assert len(bad) == 1
    assert all(str(p) in str(e) for e in bad)


def test_missing_file(tmp_path: Path) -> None:
    ok, bad = _split(tmp_path / "nope.json")
    assert not ok and "file not found" in str(bad[0])
