"""PII masking: each kind is replaced by its tag; look-alikes (orders, dates, 12345) survive."""

import pytest

from nlp.pii import MOBILE_RE, PiiMasker, id_card_valid, luhn_valid, strip_tags

ID_OK = "350102199001011238"          # constructed, valid check digit
ID_X = "11010519491231002X"
CARD_OK = "6228480402564890018"        # constructed, passes Luhn


@pytest.fixture(scope="module")
def mask() -> PiiMasker:
    return PiiMasker()


@pytest.mark.parametrize("text,expected", [
    ("联系电话13812345678谢谢", "联系电话[手机号]谢谢"),
    ("手机:138-1234-5678", "手机:[手机号]"),
    ("手机 138 1234 5678。", "手机 [手机号]。"),
    ("+86 13912345678", "[手机号]"),
    ("座机0591-87654321转", "座机[固话]转"),
    ("电话(0591)87654321", "电话[固话]"),
    ("电话:87654321", "电话:[固话]"),
    (f"身份证{ID_OK}", "身份证[身份证号]"),
    (f"证件 {ID_X} 。", "证件 [身份证号] 。"),
    (f"卡号{CARD_OK}", "卡号[银行卡号]"),
    (f"请转账到 {CARD_OK[:4]} {CARD_OK[4:8]} {CARD_OK[8:12]} {CARD_OK[12:16]} {CARD_OK[16:]}", "请转账到 [银行卡号]"),
    ("邮箱 zhang.san@example.com 收", "邮箱 [邮箱] 收"),
    ("车牌闽A12345的车", "车牌[车牌号]的车"),
    ("新能源车粤BD12345乱停", "新能源车[车牌号]乱停"),
    ("加我QQ:123456789", "加我QQ:[QQ号]"),
    ("微信号 zhangsan_88 联系", "微信号 [微信号] 联系"),
    ("我叫王小明,住在屏西小区", "我叫[姓名],住在屏西小区"),
    ("联系人:李先生", "联系人:[姓名]"),
    ("本人张伟,身份证号码如下", "本人[姓名],身份证号码如下"),
    ("姓名:欧阳娜娜", "姓名:[姓名]"),
])
def test_masks_each_kind(mask, text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "订单号202011230001234567已付款",        # 18 digits, not a valid ID
    "工单号GD2020112300123待处理",
    "工单编号20201123135678901",            # contains 1356789… but is one long number
    "2020-11-23 14:30 来电",
    "拨打12345热线反映",
    "时间20201123,金额1500元",
    "快递单号 6228480402564890018 未送达",     # Luhn-valid, but after an order cue
    "本人每天路过梅峰河",
    "本人于2019年购房",
    "本人系春华镇村民",
    "我是一名教师",
    "88路公交车没办法行驶",
    "建筑面积89.5平方米,单价12000元",
    "100米以内,第3期",
])
def test_false_positives_survive(mask, text):
    assert mask(text) == text


def test_id_checksum():
    assert id_card_valid(ID_OK) and id_card_valid(ID_X)
    assert not id_card_valid(ID_OK[:-1] + "9")


def test_id_needs_real_birth_date():
    assert not id_card_valid("350102199013011238")


def test_invalid_id_without_cue_is_kept(mask):
    bad = ID_OK[:-1] + "9"
    assert mask(f"号码{bad}") == f"号码{bad}"


def test_invalid_id_after_cue_is_still_masked(mask):
    bad = ID_OK[:-1] + "9"
    assert mask(f"身份证号:{bad}") == "身份证号:[身份证号]"


def test_luhn():
    assert luhn_valid(CARD_OK) and not luhn_valid(CARD_OK[:-1] + "0")


def test_id_is_not_half_masked_as_phone(mask):
    assert mask(f"证件{ID_OK}") == "证件[身份证号]"


def test_several_kinds_in_one_text(mask):
    text = "我叫陈静,电话13912345678,邮箱 cj@example.org,车牌闽A88888"
    masked = mask(text)
    assert masked == "我叫[姓名],电话[手机号],邮箱 [邮箱],车牌[车牌号]"


def test_spans_report_kinds(mask):
    _, spans = mask.mask_spans("电话13812345678,QQ 12345678")
    assert [s.kind for s in spans] == ["mobile", "qq"]


def test_no_mobile_left_after_masking(mask):
    text = "13800138000和13900139000都是我的号码,另有15012345678"
    assert MOBILE_RE.findall(text) and not MOBILE_RE.findall(mask(text))


def test_strip_tags_removes_only_tags():
    assert strip_tags("电话[手机号]联系", "") == "电话联系"


def test_custom_detectors_swappable():
    from nlp.pii import EmailDetector
    only_email = PiiMasker([EmailDetector()])
    assert only_email("a@b.cn 13812345678") == "[邮箱] 13812345678"
