"""A realistic large corpus of 12345 hotline work orders for benchmarks, streamed and seeded.

``generate_corpus(n, seed)`` yields ``n`` work orders (plain dicts with the fields of
``suqiu.model.Demand``) in time order over two years: a yearly and weekly rhythm, seasonal
topics, districts and departments from the installation's configuration in skewed proportions,
lengths like real citizen messages, and about 7.5% resubmissions of earlier work orders (the
near-duplicates ``nlp.dedup`` should find). With a ``SentenceBank`` (``load_sentences`` on the
Teddy Cup 2020 C files) the text recombines real sentences; without one the grammar writes it.
``write_csv`` writes the export the ``12345-workorder`` import profile reads.

Unlike ``crawlers.synthetic`` (the demo's small hand-checked set with planted truths), nothing
here is meant to be read one by one: it is meant to be many, varied and cheap.
"""

from crawlers.corpus.export import write_csv
from crawlers.corpus.generator import Truth, generate_corpus, iter_corpus
from crawlers.corpus.options import CorpusOptions
from crawlers.corpus.teddy import SentenceBank, load_sentences

__all__ = ["CorpusOptions", "SentenceBank", "Truth", "generate_corpus", "iter_corpus", "load_sentences", "write_csv"]
