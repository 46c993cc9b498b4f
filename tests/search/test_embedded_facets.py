"""The embedded backend's text searches: facets counted from ``facet_rows`` codes, plain relevance
ranked by FTS5 alone (``top_ranked``), and an index from before ``facet_rows`` filled in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from search.backends import embedded_facts
from search.backends.embedded import EmbeddedBackend
from search.backends.embedded_facts import key_parts
from search.query import FACETS, SearchQuery
from suqiu.principals import Principal

OFFICE = Principal.office()
DEPARTMENTS = ("城市管理局", "生态环境局", "住房和城乡建设局")


def doc(i: int, word: str = "噪音", repeat: int = 1, **fields: object) -> dict:
    base = {"id": f"d{i:03d}", "kind": "demand", "title": f"{word}问题", "content": f"小区{word * repeat}扰民第{i}次",
            "received_at": f"2026-{10 + i % 2}-{1 + i % 27:02d}T09:00:00+08:00", "open": True,
            "department": DEPARTMENTS[i % 3], "district": ("鼓楼区", "台江区")[i % 2], "source": "hotline",
            "channel": ("电话", "网站")[i % 2], "topic": i % 4 - 1, "sentiment": "negative", "urgency": "high",
            "status": ("received", "closed")[i % 2], "category": "投诉", "publication": "internal"}
    return {**base, **fields}


def run(backend: EmbeddedBackend, text: str = "噪音", **kw: object):
    kw.setdefault("size", 10)
    return backend.search(SearchQuery.create(text, **kw), OFFICE)


def facets_of(result) -> dict[str, dict[str, int]]:
    return {name: {f["value"]: f["count"] for f in values} for name, values in result.facets.items()}


@pytest.fixture
def backend(tmp_path: Path, segmenter) -> EmbeddedBackend:
    b = EmbeddedBackend(tmp_path / "search" / "embedded.db", segmenter)
    b.index_documents([doc(i) for i in range(30)])
    return b


def test_text_facets_equal_the_counts_over_docs(backend):
    """Every demand matches 噪音, so the coded counts of a text search must equal the no-text
    search's, which groups the strings in ``docs``."""
    coded = run(backend, facets=FACETS)
    plain = run(backend, "", facets=FACETS)
    assert coded.total == plain.total == 30
    assert facets_of(coded) == facets_of(plain)
    assert facets_of(coded)["department"] == {d: 10 for d in DEPARTMENTS}
    assert facets_of(coded)["topic"] == {"-1": 8, "0": 8, "1": 7, "2": 7}
    assert facets_of(coded)["received_month"] == {"2026-10": 15, "2026-11": 15}


def test_filtered_text_facets_use_the_same_codes(backend):
    result = run(backend, district="鼓楼区", facets=("department", "status"))
    assert result.total == 15
    assert facets_of(result) == {"department": {d: 5 for d in DEPARTMENTS}, "status": {"received": 15}}


def test_facets_follow_replacements_deletions_and_new_values(backend):
    backend.index_documents([doc(0, department="交通运输局"), doc(1, department="交通运输局")])
    backend.delete_documents(["d002"])
    counts = facets_of(run(backend, facets=("department",)))["department"]
    assert counts == {"交通运输局": 2, "城市管理局": 9, "生态环境局": 9, "住房和城乡建设局": 9}


def test_a_document_without_a_value_counts_in_no_bucket(backend):
    backend.index_documents([doc(100, department=None, category="")])
    result = run(backend, facets=("department", "category"))
    assert result.total == 31
    assert sum(facets_of(result)["department"].values()) == 30
    assert facets_of(result)["category"] == {"投诉": 30}


def test_facets_split_over_several_keys_count_the_same(backend, monkeypatch):
    one_key = facets_of(run(backend, facets=FACETS))
    monkeypatch.setattr(embedded_facts, "KEY_LIMIT", 8)   # every facet in a key of its own
    assert facets_of(run(backend, facets=FACETS)) == one_key


def test_key_parts_keep_each_combined_key_under_the_limit(monkeypatch):
    radix = {"a": 10, "b": 10, "c": 10, "d": 3}
    assert key_parts(list(radix), radix) == [["a", "b", "c", "d"]]
    monkeypatch.setattr(embedded_facts, "KEY_LIMIT", 100)
    assert key_parts(list(radix), radix) == [["a"], ["b"], ["c", "d"]]


def test_an_index_from_before_facet_rows_gains_them_when_opened(backend, segmenter):
    expected = facets_of(run(backend, facets=FACETS))
    with sqlite3.connect(backend.path) as conn:
        conn.execute("DROP TABLE facet_rows")
        conn.execute("DROP TABLE codes")
    reopened = EmbeddedBackend(backend.path, segmenter)
    assert facets_of(run(reopened, facets=FACETS)) == expected
    with sqlite3.connect(backend.path) as conn:
        assert conn.execute("SELECT count(*) FROM facet_rows").fetchone()[0] == 30


def test_a_facet_rows_table_lacking_a_column_is_filled_again(backend, segmenter):
    expected = facets_of(run(backend, facets=FACETS))
    with sqlite3.connect(backend.path) as conn:
        conn.execute("ALTER TABLE facet_rows DROP COLUMN c_dimension")
    reopened = EmbeddedBackend(backend.path, segmenter)
    assert facets_of(run(reopened, facets=FACETS)) == expected


def test_a_rebuilt_index_has_its_facet_rows(backend):
    backend.rebuild(iter([doc(i, word="停水") for i in range(12)]))
    result = run(backend, "停水", facets=("department",))
    assert result.total == 12 and facets_of(result)["department"] == {d: 4 for d in DEPARTMENTS}
    assert run(backend, "噪音").total == 0


# ---------------------------------------------------------------------------------------- relevance
def pages(backend: EmbeddedBackend, text: str, count: int, **kw: object) -> list[tuple[str, float]]:
    out = []
    for page in range(1, count + 1):
        out += [(h.id, h.score) for h in run(backend, text, page=page, **kw).hits]
    return out


@pytest.fixture
def ties(tmp_path: Path, segmenter) -> EmbeddedBackend:
    """120 demands scoring alike (same text), 40 scoring higher (the word three times), on
    interleaved dates: ties at every page edge."""
    b = EmbeddedBackend(tmp_path / "search" / "ties.db", segmenter)
    b.index_documents([doc(i, word="停水", repeat=3 if i % 4 == 0 else 1) for i in range(160)])
    return b


def test_plain_relevance_pages_match_sorting_every_match(ties):
    """FTS5's own top candidates (no filter) and SQLite sorting every match (a filter every row
    passes) page the same, ties broken by newest first, then id."""
    ranked = pages(ties, "停水", 16)
    sorted_all = pages(ties, "停水", 16, source="hotline")
    assert ranked == sorted_all
    assert len({i for i, _ in ranked}) == 160
    top = ranked[:40]
    assert all(int(i[1:]) % 4 == 0 for i, _ in top)   # the three-times ones first


def test_ties_within_a_score_are_newest_first_then_by_id(ties):
    hits = run(ties, "停水", size=50, page=2).hits
    same = [h for h in hits if h.score == hits[0].score]
    keys = [(h.fields["received_at"], h.id) for h in same]
    expected = sorted(keys, key=lambda k: k[1])
    expected.sort(key=lambda k: k[0], reverse=True)
    assert len(same) > 10 and keys == expected


def test_candidates_of_other_kinds_are_passed_over(tmp_path: Path, segmenter):
    """Profiles scoring above every demand fill FTS5's first candidates; a demand search still
    gets the demands, in order."""
    b = EmbeddedBackend(tmp_path / "search" / "kinds.db", segmenter)
    profiles = [{**doc(200 + i, word="停水", repeat=6), "kind": "profile", "id": f"p{i:03d}"} for i in range(150)]
    b.index_documents(profiles + [doc(i, word="停水") for i in range(25)])
    result = run(b, "停水", size=20, page=2)
    assert result.total == 25 and [h.fields["kind"] for h in result.hits] == ["demand"] * 5
    assert pages(b, "停水", 3, size=10) == pages(b, "停水", 3, size=10, source="hotline")


def test_excluded_words_are_left_out_of_ranked_pages(ties):
    ties.index_documents([doc(i, word="停水", content=f"停水 咨询 第{i}次") for i in range(5)])
    result = run(ties, "停水 -咨询", size=100)
    assert result.total == 155 and not {h.id for h in result.hits} & {f"d{i:03d}" for i in range(5)}


def folded_pages(backend: EmbeddedBackend, text: str, count: int, **kw: object) -> list[tuple[str, float, int]]:
    return [(h.id, h.score, h.group_size) for page in range(1, count + 1)
            for h in run(backend, text, page=page, fold_duplicates=True, **kw).hits]


@pytest.fixture
def groups(tmp_path: Path, segmenter) -> EmbeddedBackend:
    """The ``ties`` demands: a third alone, the rest in 30 near-duplicate groups of three or four."""
    b = EmbeddedBackend(tmp_path / "search" / "groups.db", segmenter)
    b.index_documents([doc(i, word="停水", repeat=3 if i % 4 == 0 else 1,
                           dup_group=f"g{i % 45:02d}" if i % 3 else f"d{i:03d}") for i in range(160)])
    return b


def test_folded_relevance_pages_match_sorting_every_match(groups):
    ranked = folded_pages(groups, "停水", 12)
    assert ranked == folded_pages(groups, "停水", 12, source="hotline")
    result = run(groups, "停水", fold_duplicates=True)
    assert result.total == 160 and len(ranked) == result.groups == 30 + 54   # 30 groups, 54 alone
    assert sum(size for _, _, size in ranked) == 160


def test_folded_group_sizes_leave_out_excluded_members(groups):
    groups.index_documents([doc(i, word="停水", dup_group=f"g{i % 45:02d}", content="停水 咨询") for i in (1, 2)])
    ranked = folded_pages(groups, "停水 -咨询", 12)
    assert ranked == folded_pages(groups, "停水 -咨询", 12, source="hotline")
    assert sum(size for _, _, size in ranked) == 158
