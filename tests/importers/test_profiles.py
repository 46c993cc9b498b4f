import pytest

from crawlers.importers.headers import normalize_header
from crawlers.importers.import_profiles import NoProfileMatch, bind, choose
from suqiu.config import ConfigError, ImportProfile, load_config, parse_config

TEDDY = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情"]


@pytest.fixture(scope="module")
def shipped():
    from pathlib import Path
    return load_config(Path("/nonexistent-suqiu-home"), environ={}).import_profiles


def test_header_normalization_ignores_spacing_and_width():
    assert normalize_header(" 匿名（1）/实名（0）\n") == normalize_header("匿名(1)/实名(0)")
    assert normalize_header("信息 来源") == "信息来源"


@pytest.mark.parametrize("extra, expected", [
    ([], "teddy2020c-messages"),
    (["一级分类"], "teddy2020c-messages"),
    (["反对数", "点赞数"], "teddy2020c-votes"),
    (["答复意见", "答复时间"], "teddy2020c-replies"),
])
def test_teddy_exports_pick_their_profile(shipped, extra, expected):
    assert choose(shipped, TEDDY + extra).profile.name == expected


def test_fuzhou_csv_headers_pick_fuzhou(shipped):
    headers = "区域,河流,性质,信息来源,时间,标题,投诉件内容,回复1,匿名(1)/实名(0),转处理次数,有效回复条数".split(",")
    assert choose(shipped, headers).profile.name == "fuzhou12345-hotline"


def test_workorder_headers_pick_generic(shipped):
    headers = ["工单编号", "来电时间", "诉求内容", "诉求类型", "区域", "承办部门", "办理结果", "满意度"]
    b = choose(shipped, headers)
    assert b.profile.name == "12345-workorder" and b.columns["department_given"] == 5


def test_no_match_lists_headers_and_profiles(shipped):
    with pytest.raises(NoProfileMatch) as e:
        choose(shipped, ["label", "text"])
    msg = str(e.value)
    assert "label、text" in msg and "teddy2020c-replies" in msg and "12345-workorder" in msg


def test_labelled_training_file_has_no_profile(shipped):
    """label,text has neither time nor id: it is training data for `suqiu train router`, not demands."""
    with pytest.raises(NoProfileMatch):
        choose(shipped, ["label", "text"])


def test_bind_reports_missing_required():
    p = ImportProfile(name="p", columns={"content": ["内容"], "received_at": ["时间"]}, required_headers=["编号"])
    b = bind(p, ["内容", "时间"])
    assert not b.fits and b.missing == ["编号"]


def test_first_alias_found_wins():
    p = ImportProfile(name="p", columns={"content": ["诉求内容", "内容"], "received_at": ["时间"]})
    assert bind(p, ["内容", "诉求内容", "时间"]).columns["content"] == 1


def _cfg(profile: str):
    import tomllib
    return parse_config(tomllib.loads("[[import_profiles]]\nname='p'\n" + profile))


def test_unknown_record_field_is_config_error():
    with pytest.raises(ConfigError) as e:
        _cfg("[import_profiles.columns]\ncontent=['内容']\nreceived_at=['时间']\nriver=['河流']\n")
    assert e.value.key == "import_profiles[0].columns" and "river" in e.value.reason


def test_profile_without_text_column_is_config_error():
    with pytest.raises(ConfigError) as e:
        _cfg("[import_profiles.columns]\nreceived_at=['时间']\n")
    assert e.value.key == "import_profiles[0].columns"


def test_bad_sheet_regex_is_config_error():
    with pytest.raises(ConfigError) as e:
        _cfg("sheets='区('\n[import_profiles.columns]\ncontent=['内容']\n")
    assert e.value.key == "import_profiles[0].sheets"


def test_bad_status_rule_status_is_config_error():
    with pytest.raises(ConfigError) as e:
        _cfg("[import_profiles.columns]\ncontent=['内容']\n[[import_profiles.status_rules]]\nwhen='reply_text'\nstatus='done'\n")
    assert e.value.key.startswith("import_profiles[0].status_rules[0]")


def test_unknown_encoding_is_config_error():
    with pytest.raises(ConfigError) as e:
        _cfg("encoding='klingon'\n[import_profiles.columns]\ncontent=['内容']\n")
    assert e.value.key == "import_profiles[0].encoding"
