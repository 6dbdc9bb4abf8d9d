"""Outlets: the news sites a study watches."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Outlet"]


@dataclass(frozen=True)
class Outlet:
    """A news outlet a study watches (or one made up from a domain: curated=False)."""

    id: str
    name: str
    domains: tuple[str, ...]
    country: str = ""  # ISO 3166-1 alpha-2, upper case; "" when unknown
    languages: tuple[str, ...] = ()  # ISO 639-1: ru, kk, ky, en, ...
    groups: tuple[str, ...] = ()  # free-form: state, independent, domestic, foreign
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    homepage: str | None = None  # defaults to https://<first domain>/
    curated: bool = True
    # IANA zone its zone-less times are read in; "": its country's (timeutil.outlet_timezone)
    timezone: str = ""

    @property
    def home_url(self) -> str:
        return self.homepage or f"https://{self.domains[0]}/"
