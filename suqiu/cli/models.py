"""Model commands: train the router or the sentiment model, evaluate them on labelled files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from crawlers.importers.labelled import Labelled, LabelledFileError, read_labelled, read_unlabeled
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


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
    app.add_typer(eval_app, name="eval")
