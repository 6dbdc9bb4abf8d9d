from __future__ import annotations

from pathlib import Path

import pytest

from untold.config import load_study
from untold.errors import ConfigError

GOOD = """
[study]
name = "t"

[[outlets]]
id = "a"
name = "A"
domains = ["a.example"]
country = "kz"
languages = ["ru", "kk"]
groups = ["state", "domestic"]

[[outlets]]
id = "b"
name = "B"
domains = ["www.b.example"]
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "study.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_study_loads_with_defaults(tmp_path: Path) -> None:
    st = load_study(write(tmp_path, GOOD))
    assert [o.id for o in st.outlets] == ["a", "b"]
    assert st.outlets[0].country == "KZ"
    assert st.archive_dir == tmp_path / "study-archive"
    assert st.fetch.respect_robots is True
    assert st.outlet_for_host("news.a.example").id == "a"  # type: ignore[union-attr]
    assert st.outlet_for_host("b.example").id == "b"  # type: ignore[union-attr]
    assert st.outlet_for_host("evil-a.example") is None


def test_typo_in_key_names_key_and_line(tmp_path: Path) -> None:
    text = GOOD.replace('domains = ["www.b.example"]', 'domians = ["www.b.example"]')
    with pytest.raises(ConfigError) as e:
        load_study(write(tmp_path, text))
    msg = str(e.value)
    assert "unknown key 'outlets.1.domians'" in msg
    line = text.splitlines().index('domians = ["www.b.example"]') + 1
    assert f"study.toml:{line}" in msg
    assert "\n" not in msg


def test_typo_in_table_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"study.toml:3: unknown key 'fetch.delya'"):
        load_study(write(tmp_path, GOOD.replace('[study]\nname = "t"', '[fetch]\ndelya = 1')))


def test_duplicate_outlet_id(tmp_path: Path) -> None:
    text = GOOD.replace('id = "b"', 'id = "a"')
    with pytest.raises(ConfigError, match="duplicate outlet id 'a'"):
        load_study(write(tmp_path, text))


def test_bad_values_and_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a domain name"):
        load_study(write(tmp_path, GOOD.replace('"a.example"', '"https://a.example/x"')))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_study(write(tmp_path, GOOD + "\n[[outlets]\n"))
    with pytest.raises(ConfigError, match="study file not found"):
        load_study(tmp_path / "missing.toml")


def test_example_template_is_valid(tmp_path: Path) -> None:
    from untold import api

    p = api.init_study(tmp_path / "s.toml")
    st = load_study(p)
    assert st.outlets and st.archive_dir == tmp_path / "archive"
    with pytest.raises(ConfigError, match="file exists"):
        api.init_study(p)
