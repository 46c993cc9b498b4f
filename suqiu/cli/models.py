"""Model commands: train the router or the sentiment model, evaluate them on labelled files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from crawlers.importers.labelled import Labelled, LabelledFileError, read_columns, read_labelled, read_unlabeled
from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load, print_eval

UnlabeledOpt = Annotated[Optional[list[Path]], typer.Option(
    "--unlabeled", help="In-domain messages without labels (any export the importers read); repeatable.")]
train_app = typer.Typer(no_args_is_help=True, help="Train models from labelled exports.")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate models; one JSON line per run.")


def _read(path: Path, text_col: str, label_col: str | None) -> Labelled:
    try:
        return read_labelled(path, text_col, label_col)
    except LabelledFileError as exc:
        fail(str(exc))


def _unlabeled(paths: list[Path] | None) -> list[str]:
    try:
        return read_unlabeled(paths or [])
    except LabelledFileError as exc:
        fail(str(exc))


@train_app.command("router")
def train_router(from_: Annotated[Path, typer.Option("--from", help="Labelled CSV/XLSX.")],
                 text_col: Annotated[str, typer.Option(help="Text column.")] = "text",
                 label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                 unlabeled: UnlabeledOpt = None, home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Train the department routing model."""
    from nlp.training import TrainingError, train_router as train
    inst = load(home)
    data = _read(from_, text_col, label_col)
    err.print(f"正在训练分派模型: {from_}")
    try:
        info = train(inst, data.texts, data.labels, unlabeled=_unlabeled(unlabeled), meta={
            "trained_from": str(Path(from_).resolve()), "text_col": text_col, "label_col": label_col,
            "skipped_rows": data.skipped, "unlabeled_from": [str(Path(u).resolve()) for u in unlabeled or []]})
    except TrainingError as exc:
        fail(f"{from_}: {exc}")
    if as_json:
        emit(info)
        return
    m = info.get("metrics") or {}
    err.print(f"已保存分派模型 {info['version']}（{info['n_docs']} 条样本）: {info['path']}")
    if m:
        err.print(f"留出集 accuracy {m['accuracy']}  macro-F1 {m['macro_f1']}")
    if info.get("labels_not_configured"):
        err.print(f"[yellow]注意[/yellow] 这些标签不是配置中的部门: {', '.join(info['labels_not_configured'])}")


@train_app.command("sentiment")
def train_sentiment(from_: Annotated[Path, typer.Option("--from", help="Labelled CSV/XLSX (1/0 or pos/neg).")],
                    text_col: Annotated[str, typer.Option(help="Text column.")] = "review",
                    label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                    home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Retrain the sentiment model on this installation's own labelled data."""
    from nlp.training import TrainingError, train_sentiment as train
    inst = load(home)
    data = _read(from_, text_col, label_col)
    try:
        info = train(inst, data.texts, data.labels, meta={"trained_from": str(Path(from_).resolve()),
                                                          "skipped_rows": data.skipped})
    except TrainingError as exc:
        fail(str(exc))
    emit(info) if as_json else err.print(f"已保存情感模型 {info['version']}（{info['n_docs']} 条样本）: {info['path']}")


@eval_app.command("routing")
def eval_routing(train: Annotated[Path, typer.Option(help="Labelled training file.")],
                 test: Annotated[Path, typer.Option(help="Labelled test file.")],
                 text_col: Annotated[str, typer.Option(help="Text column.")] = "text",
                 label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                 unlabeled: UnlabeledOpt = None, home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Evaluate routing: accuracy, macro_f1, the per-class table, docs_per_s."""
    from nlp.training import eval_router
    inst = load(home)
    tr, te = _read(train, text_col, label_col), _read(test, text_col, label_col)
    print_eval(eval_router(inst.config, (tr.texts, tr.labels), (te.texts, te.labels), unlabeled=_unlabeled(unlabeled),
                           skipped_rows=te.skipped), as_json)


@eval_app.command("sentiment")
def eval_sentiment(test: Annotated[Path, typer.Option(help="Labelled test file.")],
                   train: Annotated[Optional[Path], typer.Option(help="Train on this first; default: shipped model.")] = None,
                   text_col: Annotated[str, typer.Option(help="Text column.")] = "review",
                   label_col: Annotated[str, typer.Option(help="Label column.")] = "label",
                   home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Evaluate sentiment: accuracy, macro_f1, per-class F1, docs_per_s."""
    from nlp.training import TrainingError, eval_sentiment as evaluate
    inst = load(home)
    te = _read(test, text_col, label_col)
    tr = _read(train, text_col, label_col) if train is not None else None
    try:
        result = evaluate((te.texts, te.labels), (tr.texts, tr.labels) if tr else None, inst=inst,
                          skipped_rows=te.skipped)
    except TrainingError as exc:
        fail(str(exc))
    print_eval(result, as_json)


def _label_columns(specs: list[str]) -> dict[str, str]:
    """``PART=COL`` options as a part → column map; a malformed or repeated part is a clear error."""
    out: dict[str, str] = {}
    for spec in specs:
        part, sep, col = spec.partition("=")
        part, col = part.strip(), col.strip()
        if not sep or not part or not col:
            fail(f"--label 须写成 部分=列名（如 explanation=explainability_score），收到：{spec!r}")
        if part in out:
            fail(f"--label 重复给出了「{part}」")
        out[part] = col
    return out


@eval_app.command("replies")
def eval_replies(test: Annotated[Path, typer.Option(help="CSV/XLSX of replies with people's labels.")],
                 reply_col: Annotated[str, typer.Option(help="Reply text column.")],
                 label: Annotated[list[str], typer.Option(help="PART=COL, PART one of completeness, explanation, "
                                                               "relevance, timeliness, score; repeatable.")],
                 demand_col: Annotated[Optional[str], typer.Option(help="Demand text column (needed for relevance).")] = None,
                 received_col: Annotated[Optional[str], typer.Option(help="When the demand arrived.")] = None,
                 replied_col: Annotated[Optional[str], typer.Option(help="When the reply was given.")] = None,
                 as_json: JsonOpt = False) -> None:
    """Reply-quality parts against people's labels: AUC for 0/1 labels, Spearman for ordinal ones."""
    from nlp.reply_eval import ReplyEvalError, evaluate_replies
    labels = _label_columns(label)
    if (received_col is None) != (replied_col is None):
        fail("--received-col 与 --replied-col 须同时给出（及时性需要两个时间）")
    columns = [demand_col, reply_col, *labels.values(), received_col, replied_col]
    try:
        rows = read_columns(test, [c for c in columns if c])
        result = evaluate_replies(rows, demand_col, reply_col, labels, received_col, replied_col)
    except (LabelledFileError, ReplyEvalError) as exc:
        fail(str(exc))
    if as_json:
        emit(result)
        return
    err.print(f"{result['n']} 条答复，{result['rows_per_s']} 条/秒")
    for part in labels:
        figure = result[part]
        metric = "auc" if "auc" in figure else "spearman"
        err.print(f"  {part:13} {metric} {figure[metric]}  （{figure['n']} 条可评）")


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
    app.add_typer(eval_app, name="eval")
