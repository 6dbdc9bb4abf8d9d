"""The ``untold`` command line: a thin Typer layer over :mod:`untold.api`.

Every error is one line on stderr (``error: ...``), never a traceback: a wrong
command line (a missing argument, an unknown command or format, a bad option
value, a query that does not parse) exits 2; a failure (a bad study file, a
missing or damaged archive, unreadable input, the network) exits 1; an
interrupted long job says how to resume and exits 130. An unexpected exception
is a bug: one line says so, and ``UNTOLD_DEBUG=1`` shows its traceback.

Each area's commands live in a private module of their own (``_archive``,
``_demo``, ``_stories``, ``_report``, ``_findings``, ``_edits``, ``_probe``,
``_ooni``); what they share (consoles, progress displays, the ``--format``
option) is in ``_common``. This module holds the app and :func:`main`.
"""

from __future__ import annotations

import os
import sys

import typer

from untold.cli import (
    _archive,
    _demo,
    _edits,
    _findings,
    _ooni,
    _probe,
    _report,
    _stories,
)
from untold.cli._common import err, error_line
from untold.errors import QueryError, UntoldError, UsageError

__all__ = ["app", "main", "run"]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Measure information control in the news.")
# set to show the traceback of an unexpected error (a bug) instead of its one line
DEBUG_ENV = "UNTOLD_DEBUG"

# the areas' commands, in the order '--help' lists them
for _area in (_archive, _demo, _stories, _report, _findings, _edits, _probe, _ooni):
    _area.register(app)


INTERRUPTED = "interrupted: everything collected so far is kept; run again to resume"


def main(args: list[str] | None = None) -> None:
    """Run the command line (``sys.argv`` by default) and exit with its status."""
    sys.exit(run(args))


def run(args: list[str] | None = None) -> int:
    """Run one command line; return the exit status. Every error is one line on stderr:
    2 for a wrong command line, 1 for a failure, 130 when interrupted."""
    try:
        rv = app(args=args, prog_name="untold", standalone_mode=False)
    except typer.TyperException as exc:  # typer's own (vendored click) usage errors
        return _typer_error(exc)
    except UntoldError as exc:
        error_line(exc.one_line())
        return 2 if isinstance(exc, UsageError | QueryError) else 1
    except KeyboardInterrupt:
        err.print(INTERRUPTED)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        error_line("aborted: nothing more was done")
        return 1
    except OSError as exc:  # the system refused (disk full, permissions): not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        error_line(f"{where}{exc.strerror or exc}")
        return 1
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        error_line(f"unexpected {type(exc).__name__}: {exc} (a bug in untold: run again "
                   f"with {DEBUG_ENV}=1 to see where, and please report it)")
        return 1
    if rv == 130:  # typer turns Ctrl-C during a command into exit status 130
        err.print(INTERRUPTED)
    return rv if isinstance(rv, int) else 0


def _typer_error(exc: typer.TyperException) -> int:
    """One line for a usage error from the command-line parser, with where to look."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # 'untold' or a group with no command
        text = exc.format_message().strip()  # typer has printed its Rich help already
        if text:
            sys.stderr.write(text + "\n")
        return 2
    text = exc.format_message()
    if exc.exit_code == 2:
        text += f" (see '{ctx.command_path if ctx is not None else 'untold'} --help')"
    error_line(text)
    return exc.exit_code

