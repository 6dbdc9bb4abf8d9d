"""Every command, wrong on purpose: one line on stderr, never a traceback.

Exit 2 when the command line itself is wrong (a missing argument, an unknown
command or format, a value of the wrong type or out of range); exit 1 for a
failure (a missing or damaged archive, unreadable input). The commands and their
options are read from the typer app, so a new command or option is covered
without editing this file.

The many cases run in one subprocess that calls ``untold.cli.main`` once per
command line (a fresh interpreter per case would cost a second each); a few
representative cases also run as ``python -m untold`` on their own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from untold.cli import app

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]
CASE_LIMIT_S = 20  # one case that has not finished by then is hanging (doing real work)

# commands that need no argument and would do real work when run bare: why not here
NO_ARGS_SKIPPED = {
    "demo": "builds, serves and collects the whole example (tests/demo)",
    "helper": "serves until interrupted (tests/probe/live)",
    "init": "writes an example study file; its errors: tests/cli/test_cli.py",
}
# commands for which a missing archive is where they start: they create it
MISSING_ARCHIVE_SKIPPED = {
    "collect": "creates the archive and fetches (tests/collect/e2e)",
    "watch": "collects in a loop, creating the archive (tests/collect/revisit)",
    "import": "creates the archive from WARC files (tests/collect/warcimport)",
    "ooni import": "creates the archive from OONI files (tests/probe/ooni)",
}
# commands that answer without an archive, and why that is right
MISSING_ARCHIVE_ANSWERS = {
    "status": "a study not collected yet has a status: every outlet at 0 articles",
}
# text options with a syntax of their own, and a value that breaks it
# ((command or None for any, option) -> value)
BAD_TEXT: dict[tuple[str | None, str], str] = {
    (None, "--format"): "xml",
    (None, "--now"): "yesterday",
    (None, "--interval"): "soon",
    (None, "--bucket"): "week",
    (None, "--port"): "gopher=70",
    (None, "--resolve"): "no-address",
    ("report", "--output"): "report.pdf",
}
# values no number option of untold accepts (counts, seconds, shares)
BAD_NUMBERS = ("many", "-1")
BAD_DATE = "2026-13-01"

STUDY = """\
[study]
name = "cli errors"
archive = "archive"

[fetch]
# nothing here is meant to be fetched; if anything were, it would stay on loopback
resolve = {"news.invalid" = "127.0.0.1:9"}

[[outlets]]
id = "news"
name = "News"
domains = ["news.invalid"]

[[stories]]
id = "floods"
title = "Floods"
query = "flood*"
start = 2026-03-10T00:00:00Z
end = 2026-03-15T00:00:00Z
"""

DRIVER = r"""
import json, os, signal, sys, tempfile, traceback
from untold.cli import main

class Hung(BaseException):
    pass

def alarm(*_):
    raise Hung()

signal.signal(signal.SIGALRM, alarm)
cases, limit = json.load(open(sys.argv[1], encoding="utf-8")), int(sys.argv[2])
results = []
saved = os.dup(1), os.dup(2)
for args in cases:
    # capture at the file descriptors: whatever writes (Rich, C code) is caught
    outs = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush(); sys.stderr.flush()
    os.dup2(outs[0].fileno(), 1); os.dup2(outs[1].fileno(), 2)
    signal.alarm(limit)
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    except BaseException:
        code = None
        sys.stderr.write(traceback.format_exc())
    finally:
        signal.alarm(0)
        sys.stdout.flush(); sys.stderr.flush()
        os.dup2(saved[0], 1); os.dup2(saved[1], 2)
    text = []
    for f in outs:
        f.seek(0)
        text.append(f.read().decode("utf-8", "replace"))
        f.close()
    results.append({"args": args, "code": code, "stdout": text[0], "stderr": text[1]})
sys.stdout.write(json.dumps(results))
"""


@dataclass
class Case:
    args: list[str]
    expect: int  # exit status
    why: str


@dataclass
class Files:
    """A valid study whose archive is missing, one whose archive is random bytes, and a
    junk input file. ``fresh`` makes another pair, for a case that must not see what an
    earlier case did."""

    root: Path
    study: Path
    corrupt: Path
    junk: Path

    def fresh(self, name: str) -> Files:
        return _files(self.root / name)


def _files(root: Path) -> Files:
    (root / "ok").mkdir(parents=True)
    (root / "bad" / "archive").mkdir(parents=True)
    study = root / "ok" / "study.toml"
    study.write_text(STUDY, encoding="utf-8")
    corrupt = root / "bad" / "study.toml"
    corrupt.write_text(STUDY, encoding="utf-8")
    (root / "bad" / "archive" / "archive.sqlite").write_bytes(os.urandom(64 * 1024))
    junk = root / "input.bin"
    junk.write_bytes(os.urandom(512))
    return Files(root, study, corrupt, junk)


def _commands() -> list[tuple[list[str], Any]]:
    """(path, click command) of every leaf command of the app."""
    found = []

    def walk(cmd: Any, path: list[str]) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            found.append((path, cmd))

    walk(typer.main.get_command(app), [])
    return found


def _groups() -> list[list[str]]:
    found = []

    def walk(cmd: Any, path: list[str]) -> None:
        if hasattr(cmd, "commands"):
            found.append(path)
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def _base(annotation: Any) -> Any:
    """int for ``int | None``, ``list[int]`` and ``Annotated[...]`` alike."""
    while True:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (list, typing.Union) or \
                type(annotation).__name__ == "UnionType":
            annotation = args[0]
        else:
            return annotation


def _placeholders(cmd: Any, study: Path, f: Files) -> list[str]:
    """Values for the required arguments (and the study), so the options are what is
    wrong."""
    out: list[str] = []
    for p in cmd.params:
        if p.param_type_name != "argument":
            continue
        kind = _base(p.type_descriptor.annotation)
        if p.name in ("study", "targets"):
            out.append(str(study))
        elif not p.required:
            continue
        elif kind is int:
            out.append("1")
        elif kind is float:
            out.append("1.0")
        elif kind is Path:
            out.append(str(f.junk))
        else:
            out.append("x")
    return out


def _takes_study(cmd: Any) -> list[str] | None:
    """How a study is given to the command: [] (first argument) or ["--study"]; None."""
    for p in cmd.params:
        if p.name == "study" and p.param_type_name == "option":
            return [p.opts[-1]]
        if p.name in ("study", "targets") and p.param_type_name == "argument":
            return []
    return None


def _bad_values(name: str, p: Any) -> list[str]:
    if p.param_type_name != "option" or getattr(p, "is_flag", False):
        return []
    kind = _base(p.type_descriptor.annotation)
    if kind in (int, float):
        return list(BAD_NUMBERS)
    if kind in (dt.datetime, dt.date):
        return [BAD_DATE]
    for opt in p.opts:
        for key in ((name, opt), (None, opt)):
            if key in BAD_TEXT:
                return [BAD_TEXT[key]]
    return []


def cases(f: Files) -> list[Case]:
    out: list[Case] = []
    for path, cmd in _commands():
        name = " ".join(path)
        required = any(p.required for p in cmd.params)
        if required or name not in NO_ARGS_SKIPPED:
            out.append(Case(path, 2, f"{name} with no arguments"))
        args = [*path, *_placeholders(cmd, f.study, f)]
        for p in cmd.params:
            for bad in _bad_values(name, p):
                out.append(Case([*args, p.opts[-1], bad], 2, f"{name} {p.opts[-1]} {bad}"))
        how = _takes_study(cmd)
        if how is None:
            continue
        own = f.fresh("-".join(path))  # a command may create the archive: not for the next
        for study, what in ((own.study, "missing"), (own.corrupt, "corrupt")):
            if what == "missing" and name in MISSING_ARCHIVE_SKIPPED:
                continue
            if how:  # an option: the arguments are other files
                line = [*path, *_placeholders(cmd, study, own), *how, str(study)]
            else:
                line = [*path, *_placeholders(cmd, study, own)]
            ok = what == "missing" and name in MISSING_ARCHIVE_ANSWERS
            out.append(Case(line, 0 if ok else 1, f"{name} on a {what} archive"))
    out.append(Case(["no-such-command"], 2, "an unknown command"))
    out.append(Case(["status", str(f.study), "--no-such-option"], 2, "an unknown option"))
    return out


def _run_batch(cases: list[Case], root: Path) -> list[dict[str, Any]]:
    spec = root / "cases.json"
    spec.write_text(json.dumps([c.args for c in cases]), encoding="utf-8")
    env = {**os.environ, "UNTOLD_CONFIG_DIR": str(root / "config"),
           "UNTOLD_DATA_DIR": str(root / "data"), "NO_COLOR": "1"}
    env.pop("UNTOLD_DEBUG", None)
    r = subprocess.run([sys.executable, "-c", DRIVER, str(spec), str(CASE_LIMIT_S)],
                       capture_output=True, text=True, cwd=root, env=env,
                       stdin=subprocess.DEVNULL, timeout=60 + 5 * len(cases))
    assert r.returncode == 0, r.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads(r.stdout)
    return results


def _problems(case: Case, code: int | None, stderr: str) -> list[str]:
    lines = stderr.strip().splitlines()
    found = []
    if code != case.expect:
        found.append(f"exit {code}, expected {case.expect}")
    if case.expect == 0 and lines:
        found.append(f"{len(lines)} lines on stderr, expected none")
    if case.expect and (len(lines) != 1 or not lines[0].startswith("error: ")):
        found.append(f"{len(lines)} lines on stderr, expected one 'error: ...'")
    if "Traceback" in stderr:
        found.append("a traceback")
    return found


def test_every_command_fails_in_one_line(tmp_path: Path) -> None:
    f = _files(tmp_path)
    todo = cases(f)
    assert len(todo) > 60  # the app's commands were found
    bad = []
    for case, res in zip(todo, _run_batch(todo, tmp_path), strict=True):
        problems = _problems(case, res["code"], res["stderr"])
        if problems:
            bad.append(f"{case.why}: {'; '.join(problems)}\n    untold "
                       f"{' '.join(case.args)}\n    {res['stderr'].strip()[-600:]}")
    assert not bad, f"{len(bad)} of {len(todo)} command lines:\n" + "\n".join(bad)


def test_groups_without_a_command_show_their_help(tmp_path: Path) -> None:
    """'untold' and 'untold ooni' alone print the group's help (exit 2), nothing else."""
    groups = _groups()
    assert [] in groups and ["ooni"] in groups
    todo = [Case(g, 2, " ".join(["untold", *g])) for g in groups]
    for case, res in zip(todo, _run_batch(todo, tmp_path), strict=True):
        assert res["code"] == 2, case.why
        assert "Usage:" in res["stdout"] + res["stderr"], case.why
        assert "Traceback" not in res["stdout"] + res["stderr"], case.why


@pytest.mark.parametrize(("args", "expect", "words"), [
    (["collect"], 2, "Missing argument 'study'. (see 'untold collect --help')"),
    (["no-such-command"], 2, "No such command 'no-such-command'"),
    (["search", "{study}", "x", "--since", "2026-13-01"], 2, "'--since'"),
    (["diff", "{study}", "abc"], 2, "'article'"),
    (["search", "{study}", "x", "--limit", "-1"], 2, "'--limit'"),
    (["status", "{study}", "--format", "xml"], 2, "unknown format 'xml' (use table or json)"),
    (["export", "{study}"], 1, "archive not found"),
    (["status", "{corrupt}"], 1, "not an untold archive"),
])
def test_as_a_user_runs_it(tmp_path: Path, args: list[str], expect: int, words: str) -> None:
    """The real entry point, one interpreter per command line."""
    f = _files(tmp_path)
    line = [a.format(study=f.study, corrupt=f.corrupt) for a in args]
    r = subprocess.run([*UNTOLD, *line], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == expect, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], r.stderr


def test_error_text_is_printed_as_is(tmp_path: Path) -> None:
    """No Rich markup or emoji codes in what an error quotes (':a:b:c' stays, '[x]' stays)."""
    odd = tmp_path / "a:b:c :smile: [bold]x[/bold].toml"
    r = subprocess.run([*UNTOLD, "status", str(odd)], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 1
    assert r.stderr.strip() == (f"error: {odd}: study file not found "
                                "(run 'untold init' to write an example)")


def test_warnings_are_printed_as_is() -> None:
    """Warnings quote URLs and server text: brackets and ':name:' are printed, not read."""
    text = "http://a.example/[b]x[/b] :smile: a:b:c\nsecond line"
    code = f"from untold.cli._common import warn, error_line\nwarn({text!r})\nerror_line({text!r})"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60)
    flat = text.replace("\n", " ")
    assert r.stderr.splitlines() == [f"warning: {flat}", f"error: {flat}"]


def test_a_bad_query_is_one_line(tmp_path: Path) -> None:
    f = _files(tmp_path)
    r = subprocess.run([*UNTOLD, "search", str(f.study), 'a AND "b'], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "column" in lines[0] and "'a AND \"b'" in lines[0], r.stderr


def test_an_unexpected_error_is_one_line_unless_debugging(tmp_path: Path) -> None:
    """A bug still gets one line that says how to see the traceback (UNTOLD_DEBUG=1)."""
    code = ("import sys, untold.cli as c\n"
            "@c.app.command('boom')\n"
            "def boom() -> None:\n"
            "    raise ZeroDivisionError('division by zero')\n"
            "c.main(['boom'])\n")
    env = {k: v for k, v in os.environ.items() if k != "UNTOLD_DEBUG"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, env=env)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "ZeroDivisionError" in lines[0] and "UNTOLD_DEBUG=1" in lines[0]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, env={**env, "UNTOLD_DEBUG": "1"})
    assert r.returncode == 1 and "Traceback" in r.stderr


def test_an_interrupted_command_says_so_and_exits_130() -> None:
    code = ("import untold.cli as c\n"
            "@c.app.command('work')\n"
            "def work() -> None:\n"
            "    raise KeyboardInterrupt\n"
            "c.main(['work'])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 130
    assert r.stderr.strip().splitlines() == [
        "interrupted: everything collected so far is kept; run again to resume"]


def _measurement() -> str:
    return json.dumps({"test_name": "web_connectivity", "input": "http://news.invalid/",
                       "measurement_start_time": "2026-03-10 10:00:00",
                       "test_keys": {"blocking": False, "accessible": True}})


def test_an_archive_path_that_is_a_file(tmp_path: Path) -> None:
    f = _files(tmp_path)
    (f.study.parent / "archive").write_text("not a directory\n")
    (tmp_path / "m.json").write_text(_measurement())
    r = subprocess.run([*UNTOLD, "ooni", "import", str(f.study), str(tmp_path / "m.json")],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"error: {f.study.parent / 'archive'}: the archive path is a file, not a directory "
        "(set 'archive' in the study to a directory (or remove the file))"]


def test_an_archive_that_cannot_be_written(tmp_path: Path) -> None:
    """An archive directory that cannot be written: one line naming the archive.

    root may write anywhere, so as root the directory is made immutable (chattr +i)."""
    f = _files(tmp_path)
    archive = f.study.parent / "archive"
    archive.mkdir()
    (tmp_path / "m.json").write_text(_measurement())
    if os.geteuid() == 0:
        locked = subprocess.run(["chattr", "+i", str(archive)], capture_output=True)
        if locked.returncode != 0:
            pytest.skip(f"running as root and chattr +i failed: {locked.stderr!r}")
    else:
        archive.chmod(0o555)
    try:
        r = subprocess.run([*UNTOLD, "ooni", "import", str(f.study), str(tmp_path / "m.json")],
                           capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(archive)], check=True)
        archive.chmod(0o755)
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith(f"error: {archive / 'archive.sqlite'}: cannot open the "
                               "archive file"), lines[0]
    assert "permissions" in lines[0]


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".jsonl.gz"])
def test_json_nested_100000_deep(tmp_path: Path, suffix: str) -> None:
    """A RecursionError in the JSON parser is one 'not JSON' line per file (case 9)."""
    import gzip

    f = _files(tmp_path)
    deep = "[" * 100_000 + "]" * 100_000 + "\n"
    bomb = tmp_path / f"deep{suffix}"
    if suffix.endswith(".gz"):
        bomb.write_bytes(gzip.compress(deep.encode()))
    else:
        bomb.write_text(deep)
    for args in (["ooni", "rescore", str(bomb)], ["ooni", "import", str(f.study), str(bomb)]):
        r = subprocess.run([*UNTOLD, *args], capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        assert r.returncode == 1, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
        assert lines[0].startswith(f"error: {bomb}") and "nested too deeply" in lines[0]
