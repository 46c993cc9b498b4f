"""The benchmark corpus: streamed, seeded, valid, realistic in rhythm, proportions and duplicates."""

from __future__ import annotations

import csv
import inspect
import itertools
import statistics
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from crawlers.corpus import CorpusOptions, generate_corpus, iter_corpus, load_sentences, write_csv
from crawlers.corpus.export import export_columns
from crawlers.corpus.generator import shipped_config
from crawlers.corpus.resubmit import MIN_SIMILARITY, jaccard, resubmission
from crawlers.corpus.rhythm import daily_targets, day_weight, holiday_factor, spring_festival
from crawlers.corpus.teddy import MARKS, clean_text, role, sentences_in, split_sentences
from crawlers.importers.mapping import RowContext, map_row
from crawlers.importers.import_profiles import choose, known_headers
from crawlers.importers.readers import open_export
from suqiu.config import parse_config
from suqiu.model import SHANGHAI, Demand, build_demand

N = 3000
SEED = 11


@pytest.fixture(scope="module")
def config():
    return shipped_config()


@pytest.fixture(scope="module")
def pairs(config) -> list:
    """Grammar mode (no sentence bank), as where the shared data sets are absent."""
    return list(iter_corpus(N, SEED, config=config))


@pytest.fixture(scope="module")
def records(pairs) -> list[dict]:
    return [r for r, _ in pairs]


@pytest.fixture(scope="module")
def calendar(config) -> list[tuple]:
    """A larger sample for the calendar: (received_at, topic) only."""
    return [(r["received_at"], t.topic) for r, t in iter_corpus(15000, 5, config=config)]


def dedup_flags(records: list[dict]) -> list[list[str]]:
    """For each record in order, the earlier records nlp.dedup groups it with (the text stage's path)."""
    from nlp.dedup import DupIndex, MinHasher
    from nlp.normalize import Normalizer
    from nlp.pii import PiiMasker, strip_tags
    from nlp.text_pipeline import join_title
    norm, mask, hasher = Normalizer(), PiiMasker(), MinHasher()
    index = DupIndex(hasher, threshold=0.6)
    out = []
    for r in records:
        sig = hasher.signature(strip_tags(mask(norm(join_title(r["title"], r["content"])))))
        out.append(index.add(r["source_id"], sig).matched)
    return out


# ---------------------------------------------------------------- streaming and determinism
def test_generate_corpus_is_a_generator() -> None:
    assert inspect.isgenerator(generate_corpus(10, 1))


def test_two_million_are_streamed_not_built() -> None:
    first = list(itertools.islice(generate_corpus(2_000_000, 1), 5))
    assert len(first) == 5 and all(r["received_at"].date() == date(2024, 1, 1) for r in first)


def test_exact_count() -> None:
    assert sum(1 for _ in generate_corpus(777, 2)) == 777


def test_same_seed_same_records() -> None:
    assert list(generate_corpus(300, 5)) == list(generate_corpus(300, 5))


def test_different_seeds_differ() -> None:
    a = {r["content"] for r in generate_corpus(300, 5)}
    b = {r["content"] for r in generate_corpus(300, 6)}
    assert len(a & b) < 5


def test_records_in_time_order_with_unique_ids(records) -> None:
    times = [r["received_at"] for r in records]
    assert times == sorted(times)
    assert len({r["source_id"] for r in records}) == len(records)


# ---------------------------------------------------------------- valid records
def test_every_record_validates_as_a_demand(records) -> None:
    for r in records:
        d = build_demand(r)
        assert d.source.value == "hotline"
        assert d.received_at.tzinfo is not None


def test_records_hold_only_demand_fields(records) -> None:
    assert set().union(*(r.keys() for r in records)) <= set(Demand.model_fields)


def test_received_in_shanghai_time(records) -> None:
    assert all(r["received_at"].tzinfo == SHANGHAI for r in records)


# ---------------------------------------------------------------- lengths
def test_length_distribution_like_real_messages(records) -> None:
    lengths = sorted(len(r["content"]) for r in records)
    median = statistics.median(lengths)
    p90 = lengths[int(0.9 * len(lengths))]
    assert 150 <= median <= 250
    assert p90 >= 3 * median            # a long tail, as in the Teddy messages (p90 ≈ 3.7 × median)
    assert lengths[0] >= 30 and lengths[-1] <= 8000


# ---------------------------------------------------------------- near-duplicates
def test_near_duplicate_share_measured_by_dedup(records) -> None:
    flagged = sum(1 for m in dedup_flags(records) if m)
    assert 0.05 <= flagged / len(records) <= 0.10


def test_dedup_finds_the_constructed_groups_and_nothing_else(pairs, records) -> None:
    truth = {r["source_id"]: t for r, t in pairs}
    found = false = 0
    for (_, t), matched in zip(pairs, dedup_flags(records), strict=True):
        mates = [m for m in matched if t.group and truth[m].group == t.group]
        found += bool(mates) and t.is_copy
        false += bool(matched) and not mates
    copies = sum(t.is_copy for _, t in pairs)
    assert found >= 0.95 * copies
    assert false <= 0.003 * len(records)


def test_share_of_resubmissions_by_construction(pairs) -> None:
    assert 0.05 <= sum(t.is_copy for _, t in pairs) / len(pairs) <= 0.10


def test_group_sizes_mostly_pairs_with_a_tail(pairs) -> None:
    sizes = Counter(Counter(t.group for _, t in pairs if t.group).values())
    groups = sum(n for size, n in sizes.items() if size >= 2)
    assert sizes[2] / groups > 0.5
    assert any(size >= 4 for size in sizes)
    assert max(sizes) <= 26


def test_resubmissions_come_days_later_and_differ(pairs) -> None:
    first = {r["source_id"]: r for r, t in pairs if t.group == r["source_id"]}
    copies = [(r, first[t.group]) for r, t in pairs if t.is_copy]
    assert copies
    for copy, original in copies:
        assert copy["received_at"].date() > original["received_at"].date()
        assert (copy["title"], copy["content"]) != (original["title"], original["content"])


def test_resubmission_stays_similar() -> None:
    import random
    rng = random.Random(3)
    title = "屏西小区电梯经常故障"
    content = "尊敬的领导：屏西小区3号楼的电梯一个月里坏了五次。物业只是派人重启一下。希望尽快维修。"
    for _ in range(200):
        t, c = resubmission(rng, title, content)
        assert (t, c) != (title, content)
        assert jaccard(f"{title}\n{content}", f"{t}\n{c}") >= MIN_SIMILARITY - 0.05


def test_grammar_records_are_distinct(records) -> None:
    assert len({(r["title"], r["content"]) for r in records}) >= 0.99 * len(records)


# ---------------------------------------------------------------- calendar
def _per_day(moments, keep) -> float:
    days = Counter(m.date() for m in moments if keep(m.date()))
    span = [date(2024, 1, 1) + timedelta(days=i) for i in range(731)]
    n_days = sum(1 for d in span if keep(d))
    return sum(days.values()) / n_days


def test_weekday_volume_exceeds_weekend(calendar) -> None:
    moments = [m for m, _ in calendar]
    assert _per_day(moments, lambda d: d.weekday() < 5) > 1.25 * _per_day(moments, lambda d: d.weekday() >= 5)


def test_summer_busier_than_february(calendar) -> None:
    moments = [m for m, _ in calendar]
    assert _per_day(moments, lambda d: d.month in (7, 8)) > 1.3 * _per_day(moments, lambda d: d.month == 2)


def test_spring_festival_week_is_quiet(calendar) -> None:
    moments = [m for m, _ in calendar]
    fest = spring_festival(2025)
    week = _per_day(moments, lambda d: fest <= d < fest + timedelta(days=4))
    before = _per_day(moments, lambda d: fest - timedelta(days=28) <= d < fest - timedelta(days=7))
    assert week < 0.7 * before


def _share(calendar, topic: str, months: set[int]) -> float:
    picked = [t for m, t in calendar if m.month in months]
    return picked.count(topic) / len(picked)


@pytest.mark.parametrize("topic, season, off", [
    ("heating", {12, 1, 2}, {6, 7, 8}),
    ("waterlogging", {6, 7, 8}, {12, 1, 2}),
    ("ac_noise", {7, 8}, {1, 2, 12}),
    ("school_place", {8, 9}, {11, 12}),
])
def test_seasonal_topics_peak_in_season(calendar, topic: str, season: set[int], off: set[int]) -> None:
    assert _share(calendar, topic, season) > 3 * _share(calendar, topic, off)


def test_unpaid_wages_rise_before_spring_festival(calendar) -> None:
    fest = spring_festival(2025)
    before = [t for m, t in calendar if fest - timedelta(days=30) <= m.date() < fest]
    summer = [t for m, t in calendar if m.month in (6, 7)]
    assert before.count("unpaid_wages") / len(before) > 2 * summer.count("unpaid_wages") / len(summer)


def test_daily_targets_reach_n_and_never_fall() -> None:
    targets = [t for _, t in daily_targets(1000, date(2024, 1, 1), 731)]
    assert targets[-1] == 1000 and targets == sorted(targets)


def test_day_weights_follow_week_and_holidays() -> None:
    assert day_weight(date(2024, 6, 3)) > day_weight(date(2024, 6, 8))   # Monday > Saturday
    assert holiday_factor(spring_festival(2024)) < 0.5
    assert holiday_factor(date(2024, 10, 2)) < 1 and holiday_factor(date(2024, 10, 20)) == 1


# ---------------------------------------------------------------- proportions and places
def test_channels_telephone_dominant(records) -> None:
    shares = Counter(r["channel"] for r in records)
    assert 0.55 <= shares["电话"] / len(records) <= 0.70
    assert shares.most_common(1)[0][0] == "电话"
    assert {"微信", "网站", "APP"} <= set(shares)


def test_departments_skewed_as_configured(config, pairs) -> None:
    shares = Counter(t.department for _, t in pairs)
    names = {d.name for d in config.departments}
    assert set(shares) == names
    ranked = [name for name, _ in shares.most_common()]
    assert ranked[0] == "住房和城乡建设局"
    assert 0.18 <= shares["住房和城乡建设局"] / len(pairs) <= 0.30
    assert shares["卫生健康委员会"] / len(pairs) < 0.10


def test_given_department_resolves_to_the_true_one(config, pairs) -> None:
    given = [(r["department_given"], t.department) for r, t in pairs if r["department_given"]]
    assert given and all(config.department(g).name == truth for g, truth in given)


def test_given_department_sometimes_missing(records) -> None:
    routed = [r for r in records if r["status"] != "received"]
    missing = sum(r["department_given"] is None for r in routed) / len(routed)
    assert 0.03 <= missing <= 0.15
    assert all(r["department_given"] is None for r in records if r["status"] == "received")


def test_districts_and_addresses_from_the_configuration(config, records) -> None:
    names = {d.name for d in config.districts}
    places = {p for d in config.districts for p in (*d.streets, *d.roads, *d.estates, *d.communities)}
    assert {r["district"] for r in records} <= names | {None}
    with_address = [r["address"] for r in records if r["address"]]
    assert all(any(p in a for p in places) for a in with_address)
    assert len({r["district"] for r in records}) == len(names) + 1


def test_requester_types(records) -> None:
    kinds = Counter(r["requester_type"] for r in records)
    assert 0.78 <= kinds["individual"] / len(records) <= 0.92
    assert kinds["anonymous"] and kinds["enterprise"]
    assert all(r["requester"] is None for r in records if r["requester_type"] == "anonymous")


def test_replies_for_a_realistic_share(records) -> None:
    answered = [r for r in records if r["status"] in ("replied", "closed", "reopened")]
    assert 0.7 <= len(answered) / len(records) <= 0.95
    for r in answered:
        assert r["reply_text"] and r["replied_by"] and r["replied_at"] > r["received_at"]
    assert all(r["reply_text"] is None and r["satisfaction"] is None for r in records if r not in answered)
    rated = Counter(r["satisfaction"] for r in answered)
    assert rated.most_common(1)[0][0] == "满意" and rated["不满意"]


def test_another_installation_routes_to_its_own_departments() -> None:
    cfg = parse_config({
        "city": {"name": "示例市"},
        "departments": [{"name": "住房和城乡建设局", "keywords": ["物业"]},
                        {"name": "公安局", "keywords": ["盗窃", "诈骗"], "categories": ["治安"]}],
        "districts": [{"name": "东城区", "streets": ["东华街道"], "roads": ["东大街"], "estates": ["东苑小区"]},
                      {"name": "西城区"}],
    })
    pairs = list(iter_corpus(400, 1, config=cfg))
    assert {t.department for _, t in pairs} == {"住房和城乡建设局", "公安局"}
    assert {r["district"] for r, _ in pairs} <= {"东城区", "西城区", None}
    assert all("福州" not in r["content"] for r, _ in pairs)
    police = [r["content"] for r, t in pairs if t.department == "公安局"]
    assert police and all(("盗窃" in c) or ("诈骗" in c) or ("治安" in c) for c in police)


# ---------------------------------------------------------------- export and import
def test_csv_headers_come_from_the_profile(config, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    write_csv(generate_corpus(5, 1), path, config=config)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [h for _, h in export_columns(config.import_profile("12345-workorder"))]


def test_csv_imports_back_to_the_same_demands(config, records, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    assert write_csv(records[:400], path, config=config) == 400
    profiles = config.import_profiles
    with open_export(path, known_headers(profiles)) as wb:
        table = wb.tables[0]
        binding = choose(profiles, table.headers)
        imported = [map_row(cells, binding, RowContext()) for _, cells in table.rows]
    assert binding.profile.name == "12345-workorder" and len(imported) == 400
    for demand, record in zip(imported, records[:400]):
        expected = build_demand(record)
        assert demand.model_dump(exclude={"crawl_run"}) == expected.model_dump(exclude={"crawl_run"})


# ---------------------------------------------------------------- real sentences
LABELLED_TEMPLATES = (
    "A3区{name}小区的物业管理很差，业主意见很大。", "小区{name}栋的电梯已经坏了{n}个月，物业一直拖着不修。",
    "A市住建局答复说会督促，但{n}天过去了没有任何动静。", "我们在K市也有房子，那边的物业就管得很好。",
    "请联系电话0000-00000000的业主代表了解{name}的情况。", "西地省的规定里写得很清楚，物业费不能随意上涨{n}成。",
)


@pytest.fixture(scope="module")
def teddy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small directory in the contest's layout (made here, not the real data)."""
    d = tmp_path_factory.mktemp("teddy")
    names = [f"{a}{b}" for a in "金银铜铁锡" for b in "苑园庭府城湾"]
    with (d / "messages_labeled.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["label", "text"])
        for i, name in enumerate(names):
            body = "".join(t.format(name=name, n=i + j + 2) for j, t in enumerate(LABELLED_TEMPLATES))
            out.writerow(["城乡建设", f"{name}物业问题\n\t{body}"])
    with (d / "messages_unlabeled.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级分类"])
        for i, name in enumerate(names):
            out.writerow([i, f"U{i:07d}", f"A3区{name}物业乱收费", "2019/4/25 9:32:09",
                          f"\n\t\t{name}物业乱收物业费，物业还不公开账目，已经{i + 3}个月了。尊敬的领导：", ""])
    return d


def test_cleaning_marks_places_and_drops_placeholders() -> None:
    text = clean_text("我住在A市A3区，\n\t电话0000-00000000，在K市工作，按西地省规定。")
    assert "A市" not in text and "A3区" not in text and "0000" not in text and "K市" not in text
    assert "本省" in text and all(m in text for m in MARKS)


def test_sentences_are_split_and_filtered() -> None:
    sents = split_sentences("一、小区门口的路灯坏了很久。好。用户A0012345反映的问题没有处理。希望尽快修好路灯，谢谢！")
    assert sents == ["小区门口的路灯坏了很久。", "希望尽快修好路灯，谢谢！"]
    assert role("尊敬的领导：") == "opener" and role("希望尽快修好路灯，谢谢！") == "closer"


def test_loader_sorts_sentences_by_department(config, teddy_dir: Path) -> None:
    bank = load_sentences(teddy_dir, config)
    assert set(bank.pools) == {"住房和城乡建设局"}
    assert bank.categories["住房和城乡建设局"] == "城乡建设"
    assert bank.titles["住房和城乡建设局"] and bank.openers
    assert not any("0000" in s or "A市" in s or "西地省" in s for s in sentences_in(bank))


def test_loader_needs_the_files(config, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_sentences(tmp_path, config)


def test_real_mode_recombines_bank_sentences(config, teddy_dir: Path) -> None:
    bank = load_sentences(teddy_dir, config)
    options = CorpusOptions(min_real_sentences=50)
    pairs = list(iter_corpus(400, 3, config=config, sentences=bank, options=options))
    real = [r for r, t in pairs if t.real]
    assert real and all(t.department == "住房和城乡建设局" for r, t in pairs if t.real)
    pool = set(bank.pools["住房和城乡建设局"]["物业"] if "物业" in bank.pools["住房和城乡建设局"]
               else sentences_in(bank))
    assert all(any(s.translate({ord(m): None for m in MARKS})[:6] in r["content"] for s in pool) for r in real)
    assert not any(m in r["content"] + r["title"] for r, _ in pairs for m in MARKS)
    assert all(build_demand(r) for r, _ in pairs)


def test_without_a_bank_the_grammar_writes_everything(pairs) -> None:
    assert not any(t.real for _, t in pairs)


def test_a_thin_bank_leaves_departments_to_the_grammar(config, teddy_dir: Path) -> None:
    bank = load_sentences(teddy_dir, config)   # a few hundred sentences: below the default threshold
    assert not any(t.real for _, t in iter_corpus(200, 3, config=config, sentences=bank))


@pytest.mark.shared_data
def test_real_teddy_sentences(config, shared_datasets: Path) -> None:
    bank = load_sentences(shared_datasets / "teddy2020c", config)
    assert bank.size > 20000
    pairs = list(iter_corpus(N, SEED, config=config, sentences=bank))
    records = [r for r, _ in pairs]
    assert sum(t.real for _, t in pairs) / N > 0.5
    assert not any(m in r["content"] + r["title"] for r in records for m in MARKS)
    assert not any("0000-0000" in r["content"] or "A市" in r["content"] for r in records)
    lengths = sorted(len(r["content"]) for r in records)
    assert 150 <= statistics.median(lengths) <= 260
    flags = dedup_flags(records)
    assert 0.05 <= sum(1 for m in flags if m) / N <= 0.10
    truth = {r["source_id"]: t for r, t in pairs}
    false = sum(1 for (r, t), m in zip(pairs, flags) if m and not any(t.group and truth[x].group == t.group for x in m))
    assert false <= 0.003 * N
