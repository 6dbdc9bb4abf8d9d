"""What is checked when a study file is loaded, before any work: every story's query
and fact parses; the template ``untold init`` writes loads and names every outlet key
a user needs (``homepage``, ``http_fallback``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.hostile_server import HostileServer
from untold.api import load
from untold.config import load_study
from untold.errors import ConfigError

UNTOLD = [sys.executable, "-m", "untold"]

STUDY = """
[study]
name = "checks"
archive = "archive"

[fetch]
allow_private = true
delay = 0.0
retries = 0
timeout = 5.0
resolve = {{ "news.example" = "127.0.0.1:{port}" }}

[[outlets]]
id = "news"
name = "News"
domains = ["news.example"]
feeds = ["http://news.example/feed"]

[[stories]]
id = "video"
title = "The video"
query = {query!r}
facts = {{ citizens = {fact!r}, other = "граждан*" }}
"""


def _write(tmp: Path, *, query: str = "видео", fact: str = "граждан*", port: int = 9) -> Path:
    path = tmp / "study.toml"
    # repr() writes TOML literal strings ('...'): the queries' double quotes stay as typed
    path.write_text(STUDY.format(port=port, query=query, fact=fact), encoding="utf-8")
    return path


def _line(path: Path, starts: str) -> int:
    return next(i for i, ln in enumerate(path.read_text("utf-8").splitlines(), 1)
                if ln.startswith(starts))


@pytest.mark.parametrize(
    ("query", "fact", "names", "key", "words"),
    [
        ("видео", "граждан* NEAR/5 (казахстан* рк)", "story 'video', fact 'citizens'",
         "facts", "(a NEAR/5 c) AND (b NEAR/5 c)"),
        ("видео", "граждан* AND (", "story 'video', fact 'citizens'", "facts",
         "unclosed '('"),
        ("видео", "(a OR lang:ru) NEAR/3 b", "story 'video', fact 'citizens'", "facts",
         "put the filter outside"),
        ("(видео", "граждан*", "story 'video', query", "query", "unclosed '('"),
        ("видео~2", "граждан*", "story 'video', query", "query", "unsupported syntax"),
    ],
)
def test_every_query_is_checked_when_the_study_loads(tmp_path: Path, query: str, fact: str,
                                                     names: str, key: str, words: str) -> None:
    path = _write(tmp_path, query=query, fact=fact)
    with pytest.raises(ConfigError) as info:
        load(path)  # how every command loads a study
    err = info.value
    line = err.one_line()
    assert names in line and words in line, line
    assert repr(query if key == "query" else fact) in line  # the query itself is quoted
    assert err.source == f"{path}:{_line(path, key)}"  # the file and the line to fix
    assert err.hint and "in the study file" in err.hint


def test_a_group_inside_near_is_a_valid_fact(tmp_path: Path) -> None:
    st = load(_write(tmp_path, fact="граждан* NEAR/5 (казахстан* OR рк)"))
    assert st.stories[0].facts["citizens"] == "граждан* NEAR/5 (казахстан* OR рк)"


@pytest.mark.slow
def test_collect_with_a_bad_fact_fails_before_fetching(tmp_path: Path) -> None:
    """The study names a real loopback server; a bad fact stops the run before any
    connection to it, with one line naming the fact and the file. The same study
    with the fact fixed does reach the server (so the server would have seen one)."""
    with HostileServer() as srv:
        study = _write(tmp_path, fact="граждан* NEAR/5 (казахстан* рк)", port=srv.port)
        r = subprocess.run([*UNTOLD, "collect", str(study)], capture_output=True, text=True,
                           timeout=120, stdin=subprocess.DEVNULL)
        untouched = srv.accepts
        assert r.returncode == 1, r.stderr  # a malformed study is a failure (exit 1)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
        assert "story 'video', fact 'citizens'" in lines[0] and str(study) in lines[0]
        assert "NEAR cannot take an AND group" in lines[0]
        assert untouched == 0 and not srv.hits
        assert not (tmp_path / "archive" / "archive.sqlite").exists()  # nothing was started

        _write(tmp_path, fact="граждан* NEAR/5 (казахстан* OR рк)", port=srv.port)
        ok = subprocess.run([*UNTOLD, "collect", str(study)], capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
        assert ok.returncode == 0, ok.stderr
        assert srv.hits["/feed"] >= 1


def test_the_init_template_loads_and_shows_homepage_and_http_fallback(tmp_path: Path) -> None:
    from untold import api

    path = api.init_study(tmp_path / "s.toml")
    text = path.read_text("utf-8")
    st = load_study(path)
    assert any(line.startswith("homepage = ") for line in text.splitlines())
    kloop = st.outlet("kloop")
    assert kloop.homepage == "https://kloop.kg/" and kloop.home_url == "https://kloop.kg/"
    assert "# http_fallback = false" in text and st.fetch.http_fallback is False
    # the commented timezone is the one the country gives, and valid once uncommented
    from untold.timeutil import outlet_timezone

    assert '# timezone = "Asia/Bishkek"' in text and outlet_timezone(kloop) == "Asia/Bishkek"
    set_tz = text.replace('# timezone = "Asia/Bishkek"', 'timezone = "Asia/Bishkek"')
    (tmp_path / "tz.toml").write_text(set_tz, encoding="utf-8")
    assert load_study(tmp_path / "tz.toml").outlet("kloop").timezone == "Asia/Bishkek"
    # the commented story (its fact has a group inside NEAR) is valid once uncommented
    block = text[text.index("# [[stories]]"):text.index("# [[events]]")]
    story = "\n".join(ln.removeprefix("# ").removeprefix("#")
                      for ln in block.splitlines())
    path.write_text(text + "\n" + story + "\n", encoding="utf-8")
    fact = load(path).stories[0].facts["nationality"]
    assert fact.startswith("граждан* NEAR/5 (казахстан* OR рк)")
