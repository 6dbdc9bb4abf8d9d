"""The one exception tree of untold.

Every error a user can cause or meet is an ``UntoldError``; third-party
exceptions are translated where they enter (``raise ... from exc``), so the
CLI prints one readable line — the message, the input it concerns and the fix
— and never a traceback for a known problem.

::

    UntoldError                 base: .message, .source (the input), .hint (the fix)
    ├── UsageError              the command line itself is wrong (the CLI exits 2; others 1)
    ├── ConfigError             a study/outlet file is missing, malformed or inconsistent
    ├── InputError              user-supplied or fetched data that cannot be read
    │   ├── FeedError           an RSS/Atom feed that is not a feed
    │   ├── SitemapError        a sitemap that is not XML, too large, or loops
    │   ├── WarcError           a WARC file or record that is truncated or malformed
    │   ├── ImportFormatError   a CSV / measurement file in the wrong shape
    │   └── QueryError          a search query that does not parse (.column)
    ├── FetchError              a fetch failed; .failure is a stable OONI-style string
    ├── StoreError              the archive cannot be opened, migrated or written
    │   ├── IntegrityError      the archive and its WARC files disagree
    │   └── ConstraintError     a write the archive's keys refuse (a record held twice)
    └── ProbeError              a reachability probe could not be run as asked
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConstraintError",
    "FeedError",
    "FetchError",
    "ImportFormatError",
    "InputError",
    "IntegrityError",
    "ProbeError",
    "QueryError",
    "SitemapError",
    "StoreError",
    "UntoldError",
    "UsageError",
    "WarcError",
]


class UntoldError(Exception):
    """Base of every error untold raises on purpose.

    ``message`` says what is wrong, ``source`` names the input (a path, URL,
    or ``file:line``) and ``hint`` says how to fix it. ``str()`` joins them
    into the single line the CLI prints.
    """

    def __init__(self, message: str, *, source: str | None = None, hint: str | None = None):
        self.message = message
        self.source = source
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.source}: {self.message}" if self.source else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def one_line(self) -> str:
        """The error as the single line the CLI prints (line breaks folded to spaces)."""
        return " ".join(part.strip() for part in str(self).splitlines() if part.strip())


class UsageError(UntoldError):
    """The command line is wrong: a bad option value, a missing argument, an unknown format."""


class ConfigError(UntoldError):
    """A study or outlet file is missing, malformed or inconsistent."""


class InputError(UntoldError):
    """Data given to untold (or fetched by it) cannot be read."""


class FeedError(InputError):
    """An RSS/Atom feed that is not a feed."""


class SitemapError(InputError):
    """A sitemap that is not XML, exceeds limits, or loops."""


class WarcError(InputError):
    """A WARC file or record that is truncated or malformed."""


class ImportFormatError(InputError):
    """A CSV or measurement file that is not in the expected shape."""


class QueryError(InputError):
    """A search query that does not parse; ``column`` is 1-based.

    ``message`` is one line (``... at column N``); ``str()`` adds the query with a
    caret under the column, and :meth:`one_line` names the query instead.
    """

    def __init__(
        self, message: str, *, query: str, column: int, hint: str | None = None
    ) -> None:
        self.query = query
        self.column = column
        super().__init__(f"{message} at column {column}", source="query", hint=hint)

    def __str__(self) -> str:
        pointer = " " * (self.column - 1) + "^"
        text = f"{self.source}: {self.message}\n  {self.query}\n  {pointer}"
        return text + (f" ({self.hint})" if self.hint else "")

    def one_line(self) -> str:
        text = f"{self.source}: {self.message} of {self.query!r}"
        return text + (f" ({self.hint})" if self.hint else "")


class FetchError(UntoldError):
    """A fetch failed. ``failure`` is a stable string in OONI's vocabulary.

    Examples: ``dns_nxdomain_error``, ``connection_refused``,
    ``connection_reset``, ``generic_timeout_error``, ``ssl_invalid_hostname``,
    ``ssl_unknown_authority``, ``http_body_too_large``, ``http_too_many_redirects``.
    """

    def __init__(self, failure: str, *, source: str | None = None, detail: str = "") -> None:
        self.failure = failure
        self.detail = detail
        super().__init__(f"{failure}{': ' + detail if detail else ''}", source=source)


class StoreError(UntoldError):
    """The archive cannot be opened, migrated or written."""


class IntegrityError(StoreError):
    """The archive database and its WARC files disagree."""


class ConstraintError(StoreError):
    """A write the archive's keys refuse: a record it already holds under a unique key
    (the same WARC-Record-ID twice) or a reference to a row it does not hold. Every
    backend raises this, so callers never see a database driver's own exception."""


class ProbeError(UntoldError):
    """A reachability probe could not be run as asked."""
