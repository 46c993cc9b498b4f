"""Normalization: the canonical text every later stage reads."""

import pytest

from nlp.normalize import Normalizer, TradToSimp, strip_html


@pytest.fixture(scope="module")
def norm() -> Normalizer:
    return Normalizer()


def test_traditional_becomes_simplified(norm):
    assert norm("這條馬路的路燈壞了") == "这条马路的路灯坏了"


def test_simplified_text_skips_opencc():
    t2s = TradToSimp()
    assert t2s.triggers.isdisjoint("小区物业不作为")
    assert t2s("小区物业不作为") == "小区物业不作为"


def test_simplified_words_not_read_as_traditional():
    # OpenCC's phrase table takes 打坏 for traditional (打坯): simplified text must pass untouched
    assert TradToSimp()("又把房顶给打坏了，每栋电梯常有一坏一停") == "又把房顶给打坏了，每栋电梯常有一坏一停"


def test_only_the_clause_with_a_traditional_character_is_converted():
    assert TradToSimp()("路燈壞了。又把房顶给打坏了") == "路灯坏了。又把房顶给打坏了"


def test_official_opencc_wheels_in_use():
    import opencc
    assert getattr(opencc, "__version__", "0") >= "1.1" and TradToSimp().conversion == "t2s.json"


def test_full_width_digits_and_letters_become_ascii(norm):
    assert norm("电话１３８００１３８０００，ＡＢＣ") == "电话13800138000,ABC"


def test_ideographic_space_collapses(norm):
    assert norm("小区\u3000\u3000停车难") == "小区 停车难"


def test_padding_newlines_and_tabs_are_removed(norm):
    raw = "\n\t\t\t\t\t\n\t\t\t\t\t座落在A市A3区联丰路\n\t\t\t\t\t\n\t\t\t\t\t\n\t\t\t\t"
    assert norm(raw) == "座落在A市A3区联丰路"


def test_paragraph_breaks_survive_as_single_newline(norm):
    assert norm("第一段\n\n\n  第二段") == "第一段\n第二段"


def test_html_tags_removed_and_entities_unescaped(norm):
    assert norm("<p>噪音&nbsp;扰民</p><br/>请处理 &amp; 回复") == "噪音 扰民\n请处理 & 回复"


def test_script_content_dropped():
    assert "alert" not in strip_html("<script>alert(1)</script>投诉")


def test_text_with_angle_brackets_but_no_tags_is_kept(norm):
    assert norm("温度<30度且>20度") == "温度<30度且>20度"


def test_control_and_zero_width_characters_removed(norm):
    assert norm("物\u200b业\x00费\x07用\ufeff") == "物业费用"


def test_emoji_kept(norm):
    assert norm("服务很好👍😊") == "服务很好👍😊"


def test_emoji_zwj_sequence_kept(norm):
    family = "👨\u200d👩\u200d👧"
    assert norm(f"一家人{family}") == f"一家人{family}"


def test_empty_and_none(norm):
    assert norm("") == "" and norm(None) == ""


def test_carriage_returns_become_newlines(norm):
    assert norm("第一行\r\n第二行") == "第一行\n第二行"


@pytest.mark.parametrize("text,shown", [
    ("你好,我想问一下!谢谢", "你好，我想问一下！谢谢"),
    ("电话:[手机号]", "电话：[手机号]"),
    ("[手机号],请回电", "[手机号]，请回电"),
    ("(这里)有问题??", "（这里）有问题？？"),
    ("小区(A区)门口", "小区（A区）门口"),
    ("他说:“好”;我说:不行", "他说：“好”；我说：不行"),
])
def test_chinese_punctuation_next_to_chinese(text, shown):
    from nlp.normalize import chinese_punctuation
    assert chinese_punctuation(text) == shown
    assert len(chinese_punctuation(text)) == len(text)


@pytest.mark.parametrize("text", ["共计12,345元", "时间10:30到", "Hello, world! (test)", "a,b", "", "纯中文没有标点",
                                  "email me: a@b.cn"])
def test_chinese_punctuation_leaves_numbers_and_latin_text(text):
    from nlp.normalize import chinese_punctuation
    assert chinese_punctuation(text) == text
