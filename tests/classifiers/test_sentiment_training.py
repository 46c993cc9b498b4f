"""A city trains the sentiment model on its own labelled data, and the installation then uses it."""

from __future__ import annotations

import json
import logging

from typer.testing import CliRunner

from nlp.installed_models import SENTIMENT_KIND, current_sentiment
from nlp.model_store import ModelStore
from nlp.sentiment import SentimentModel, shipped_model
from nlp.training import normalized


def test_train_sentiment_from_a_file_becomes_current(app, fixtures_dir):
    from suqiu.cli import app as cli
    f = str(fixtures_dir / "sentiment_small.csv")
    out = CliRunner().invoke(cli, ["train", "sentiment", "--from", f, "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout.strip())
    assert info["n_docs"] == 12 and info["version"] == "v0001"
    model = current_sentiment(app)
    # trained on the texts as the classify stage reads them (normalized)
    assert len(model.train_digests) == 12 and model.seen(normalized(["处理及时，态度热情，点赞"])[0])
    p = model.polarity(["处理及时，态度热情，点赞", "部门之间互相推诿，不作为"])
    assert p[0] > 0 > p[1]


def test_eval_sentiment_uses_the_trained_model(app, fixtures_dir):
    from suqiu.cli import app as cli
    f = str(fixtures_dir / "sentiment_small.csv")
    assert CliRunner().invoke(cli, ["train", "sentiment", "--from", f]).exit_code == 0
    out = CliRunner().invoke(cli, ["eval", "sentiment", "--test", f, "--json"])
    r = json.loads(out.stdout.strip())
    assert r["n_seen_in_train"] == 12 and r["accuracy_unseen"] is None


def test_bad_labels_are_a_clear_error(home, tmp_path):
    from suqiu.cli import app as cli
    f = tmp_path / "bad.csv"
    f.write_text("label,review\n好,很好\n坏,很差\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["train", "sentiment", "--from", str(f)])
    assert out.exit_code == 1 and "情感标签无法识别" in out.output


def test_a_model_of_the_old_format_gives_way_to_the_shipped_one(app, caplog):
    """A model saved before the lexicon block cannot be read: the default stands in until retraining."""
    old = SentimentModel.__new__(SentimentModel)  # the state an old pickle holds: no "format"
    old.__dict__.update({"params": None, "idf": None, "coef": None, "intercept": 0.0, "train_digests": frozenset()})
    ModelStore(app.models_dir).save(SENTIMENT_KIND, old)
    with caplog.at_level(logging.WARNING):
        model = current_sentiment(app)
    assert model.train_digests == shipped_model().train_digests
    assert "重新训练" in caplog.text
