"""The ``untold ooni`` commands: thin, calling :mod:`untold.api` only."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from untold import api
from untold.cli._common import error_line, format_option, out

ooni = typer.Typer(no_args_is_help=True, help="OONI measurements: re-score, import, fingerprints.")
fingerprints = typer.Typer(no_args_is_help=True, help="Blocking fingerprints (OONI's CSV format).")
ooni.add_typer(fingerprints, name="fingerprints")

def _show(v: Any) -> str:
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


@ooni.command()
def rescore(targets: Annotated[list[Path], typer.Argument(
                help="OONI files (JSON, JSONL, .gz, API answers), or one study file (.toml).")],
            format: Annotated[str, format_option("table", "json")] = "table",
            fingerprints: Annotated[list[Path] | None, typer.Option(
                "--fingerprints", help="Also use this fingerprint CSV (repeatable).")] = None
            ) -> None:
    """OONI's verdict beside untold's for each measurement (or re-score a study)."""
    if len(targets) == 1 and targets[0].suffix == ".toml":
        res = api.rescore_study(targets[0])
        if format == "json":
            sys.stdout.write(json.dumps(res, indent=2) + "\n")
        else:
            out.print(f"rules {res['rules_version']}: {res['scored']} measurements scored")
            for cls, n in res["classes"].items():
                out.print(f"  {cls:32} {n}")
        return
    rows, errors = api.rescore_files(targets, fingerprint_files=fingerprints or [])
    for e in errors:
        error_line(e.one_line())
    if format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        t = Table("input", "OONI blocking", "OONI accessible", "untold blocking",
                  "untold accessible", "class", "rule")
        for r in rows:
            o, u = r["ooni"], r["untold"]
            t.add_row(escape(str(r["input"])), _show(o["blocking"]), _show(o["accessible"]),
                      _show(u["blocking"]), _show(u["accessible"]), u["class"], u["rule"])
        out.print(t)
    if errors:  # results stand; the exit status says some items could not be read
        raise SystemExit(1)


@ooni.command(name="import")
def import_(study: Annotated[Path, typer.Argument(help="The study file (TOML).")],
            files: Annotated[list[Path], typer.Argument(help="OONI measurement files.")]
            ) -> None:
    """Store and score the measurements of the study's outlets (idempotent)."""
    st = api.ooni_import(study, files)
    for e in st.errors:
        error_line(e)
    out.print(f"read {st.read}, imported {st.imported}, already stored {st.already}, "
              f"not a study outlet {st.skipped_no_outlet}, errors {len(st.errors)}")
    if st.errors:
        raise SystemExit(1)


@fingerprints.command()
def update(files: Annotated[list[Path], typer.Argument(
               help="fingerprints_dns.csv / fingerprints_http.csv downloaded from OONI.")],
           study: Annotated[Path | None, typer.Option(
               help="Install into this study's archive instead of the user's data dir.")]
           = None) -> None:
    """Validate fingerprint CSVs and install them for later verdicts."""
    for r in api.install_fingerprints(files, study=study):
        out.print(f"installed {r['path']}: {r['dns']} dns, {r['http']} http fingerprints")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(ooni, name="ooni")
