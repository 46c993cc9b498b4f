"""The gensim model families a topic fit can use (``[topics] backend``): LDA and NMF."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.topics import TopicSettings


class TopicBackend:
    """A gensim topic model family: ``train`` returns a model with ``get_topics()`` and ``model[bow]``."""

    name = "base"

    def train(self, corpus: Any, dictionary: Any, num_topics: int, settings: TopicSettings) -> Any:
        raise NotImplementedError

    def load(self, path: str) -> Any:
        raise NotImplementedError


class LdaBackend(TopicBackend):
    """Online variational LDA; single process so a fixed seed gives the same model every run."""

    name = "lda"

    def train(self, corpus: Any, dictionary: Any, num_topics: int, settings: TopicSettings) -> Any:
        from gensim.models import LdaModel
        return LdaModel(corpus=corpus, id2word=dictionary, num_topics=num_topics, passes=settings.passes,
                        iterations=settings.iterations, random_state=settings.seed, alpha="auto",
                        eta="auto", chunksize=2000, eval_every=None, minimum_probability=0.0)

    def load(self, path: str) -> Any:
        from gensim.models import LdaModel
        return LdaModel.load(path)


class NmfBackend(TopicBackend):
    """gensim's online NMF on raw counts; often crisper topics on short texts."""

    name = "nmf"

    def train(self, corpus: Any, dictionary: Any, num_topics: int, settings: TopicSettings) -> Any:
        from gensim.models import Nmf
        return Nmf(corpus=corpus, id2word=dictionary, num_topics=num_topics, passes=settings.passes,
                   random_state=settings.seed, chunksize=2000, minimum_probability=0.0,
                   normalize=True)

    def load(self, path: str) -> Any:
        from gensim.models import Nmf
        return Nmf.load(path)


BACKENDS: dict[str, Callable[[], TopicBackend]] = {"lda": LdaBackend, "nmf": NmfBackend}


def make_backend(name: str) -> TopicBackend:
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ValueError(f"topic backend '{name}' unknown; choose one of {sorted(BACKENDS)}") from None


__all__ = ["BACKENDS", "LdaBackend", "NmfBackend", "TopicBackend", "make_backend"]
