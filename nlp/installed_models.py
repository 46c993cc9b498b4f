"""The models an installation uses now: its trained router (if any) and its sentiment model."""

from __future__ import annotations

import logging

from nlp.model_store import ModelStore
from nlp.routing import RouterModel
from nlp.sentiment import OutdatedSentimentModel, SentimentModel, shipped_model
from suqiu.installation import Installation

ROUTER_KIND = "router"
SENTIMENT_KIND = "sentiment"


def current_router(inst: Installation) -> tuple[RouterModel | None, str | None]:
    """The current trained router and its version, or (None, None): rules and triage only."""
    loaded = ModelStore(inst.models_dir).load(ROUTER_KIND)
    return (None, None) if loaded is None else (loaded[0], loaded[1].version)


def current_sentiment(inst: Installation) -> SentimentModel:
    """The installation's own trained sentiment model when it has one, else the shipped default.

    A model saved in an older format cannot be read by this code: the shipped default stands in,
    with a warning, until the installation retrains (``suqiu train sentiment``)."""
    try:
        loaded = ModelStore(inst.models_dir).load(SENTIMENT_KIND)
    except OutdatedSentimentModel as exc:
        logging.getLogger(__name__).warning("%s；暂用内置情感模型", exc)
        loaded = None
    return loaded[0] if loaded is not None else shipped_model()
