from pathlib import Path

import pytest

from suqiu.installation import write_default_config
from suqiu.config import ConfigError, load_config


def _write(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "suqiu.toml").write_text(text, encoding="utf-8")


def test_shipped_defaults_load(tmp_path):
    cfg = load_config(tmp_path, environ={})
    assert cfg.search.backend == "embedded"
    assert cfg.department("住建局").name == "住房和城乡建设局"
    assert any(d.name == "仓山区" for d in cfg.districts)


def test_init_does_not_overwrite(tmp_path):
    path, written = write_default_config(tmp_path)
    path.write_text("[city]\nname = '榕城'\n", encoding="utf-8")
    _, again = write_default_config(tmp_path)
    assert written and not again
    assert load_config(tmp_path, environ={}).city.name == "榕城"


def test_bad_backend_names_key(tmp_path):
    _write(tmp_path, "[search]\nbackend = 'solr'\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path, environ={})
    assert e.value.key == "search.backend"


def test_unknown_key_named(tmp_path):
    _write(tmp_path, "[store]\nurll = 'x'\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path, environ={})
    assert e.value.key == "store.urll" and e.value.reason == "unknown key"


def test_department_time_limit_must_be_positive(tmp_path):
    _write(tmp_path, "[[departments]]\nname = 'A'\ntime_limit_days = 0\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path, environ={})
    assert e.value.key == "departments[0].time_limit_days"


def test_duplicate_department_named(tmp_path):
    _write(tmp_path, "[[departments]]\nname = 'A'\n[[departments]]\nname = 'A'\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path, environ={})
    assert e.value.key == "departments[1].name"


def test_invalid_toml_is_config_error(tmp_path):
    _write(tmp_path, "[store\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path, environ={})
    assert "not valid TOML" in e.value.reason


def test_env_alias_overrides(tmp_path):
    cfg = load_config(tmp_path, environ={"SUQIU_SEARCH_BACKEND": "elasticsearch",
                                         "SUQIU_ES_URL": "http://127.0.0.1:9333"})
    assert cfg.search.backend == "elasticsearch"
    assert cfg.search.elasticsearch.url == "http://127.0.0.1:9333"


def test_env_generic_override_parses_toml_values(tmp_path):
    cfg = load_config(tmp_path, environ={"SUQIU__SMTP__PORT": "2525", "SUQIU__CITY__NAME": "厦门市"})
    assert cfg.smtp.port == 2525 and cfg.city.name == "厦门市"


def test_env_bad_value_names_key(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path, environ={"SUQIU__SMTP__PORT": "99999"})
    assert e.value.key == "smtp.port"
