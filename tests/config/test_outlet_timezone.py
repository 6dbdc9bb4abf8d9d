"""An outlet's time zone: the study setting, its country's default, one clear error for a
name that is no zone; and migration 9 (dates by precision) on an archive made before."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from untold.config import load_study
from untold.errors import ConfigError
from untold.store import open_store
from untold.store.sqlite.schema import MIGRATIONS
from untold.timeutil import COUNTRY_TIMEZONES, outlet_timezone, zone

STUDY = """
[study]
name = "t"

[[outlets]]
id = "kz"
name = "KZ"
domains = ["kz.example"]
country = "KZ"

[[outlets]]
id = "us"
name = "US"
domains = ["us.example"]
country = "US"

[[outlets]]
id = "west"
name = "West KZ"
domains = ["west.example"]
country = "KZ"
timezone = "Asia/Oral"
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "study.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_zone_from_the_study_else_the_country_else_utc(tmp_path: Path) -> None:
    st = load_study(_write(tmp_path, STUDY))
    zones = {o.id: outlet_timezone(o) for o in st.outlets}
    # Kazakhstan: one zone (Asia/Almaty), UTC+5 since 2024-03-01; the US has several
    assert zones == {"kz": "Asia/Almaty", "us": "UTC", "west": "Asia/Oral"}
    assert datetime(2026, 10, 1, tzinfo=UTC).astimezone(zone("Asia/Almaty")).utcoffset() \
        == datetime(2026, 10, 1, 5, tzinfo=UTC) - datetime(2026, 10, 1, tzinfo=UTC)


def test_every_default_zone_exists() -> None:
    for country, name in COUNTRY_TIMEZONES.items():
        assert len(country) == 2 and zone(name) is not None


@pytest.mark.slow
def test_a_name_that_is_no_zone_is_one_clear_error_at_load(tmp_path: Path) -> None:
    path = _write(tmp_path, STUDY.replace('"Asia/Oral"', '"Asia/Almati"'))
    with pytest.raises(ConfigError) as e:
        load_study(path)
    assert "'Asia/Almati' is not an IANA time zone name" in str(e.value)
    line = STUDY.splitlines().index('timezone = "Asia/Oral"') + 1
    assert f"{path}:{line}:" in str(e.value)  # the line of the key
    r = subprocess.run([sys.executable, "-m", "untold", "status", str(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Asia/Almati" in lines[0], r.stderr


def test_migration_9_marks_bare_days_of_an_older_archive(tmp_path: Path) -> None:
    db = tmp_path / "archive.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for version, name, sql in MIGRATIONS:
        if version >= 9:
            break
        conn.executescript(sql)
        conn.execute("INSERT INTO schema_migrations VALUES (?,?,?)", (version, name, "x"))
    conn.execute("INSERT INTO captures (id,url,outlet_id,kind,fetched_at) "
                 "VALUES (1,'u','o','article','2026-10-02T00:00:00Z')")
    for i, published in enumerate(("2026-10-01T00:00:00Z", "2026-10-01T09:15:00Z", None)):
        conn.execute("INSERT INTO articles (outlet_id,url,canonical_url,text,published,"
                     "fetched_at,capture_id,text_hash) VALUES ('o',?,?,'t',?,"
                     "'2026-10-02T00:00:00Z',1,?)", (f"u{i}", f"u{i}", published, str(i)))
    conn.commit()
    conn.close()
    store = open_store(db)  # migrates
    rows = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT published, published_precision FROM articles ORDER BY id").fetchall()
    store.close()
    assert rows == [("2026-10-01T00:00:00Z", "day"), ("2026-10-01T09:15:00Z", "time"),
                    (None, None)]
