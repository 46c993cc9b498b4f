"""jieba's accurate mode (``Tokenizer.lcut(text, HMM=True)``), same output, 2–5× faster.

jieba spends most of its time building a DAG of dictionary words as lists of lists and then
taking ``max`` over a generator that calls ``log`` for every edge. Here both happen in one
right-to-left pass over precomputed log probabilities, with the same arithmetic
(``(log(freq) - log(total)) + route``) and the same tie-break (the longer word wins), so every
token is identical. The unknown-word HMM uses jieba's own model (``jieba.finalseg``) with its
Viterbi unrolled over the four states (same sums, same tie-breaks, back-pointers instead of
copied path lists).

The same walk also exists in C (``nlp/_dag_route.c``: the dictionary as a hash table of code points,
so probing a longer prefix makes no new string). It is built at install where a C compiler is
present; elsewhere the Python loop here runs, with the same tokens. On Teddy Cup messages jieba
cuts about 0.35M characters/s on one core here, the Python walk about 0.7M, the C walk about 1.4M
(``bench/bench_text.py``).

A bounded cache remembers the cut of recent blocks (runs of Han characters and letters between
punctuation) and of HMM fragments: citizen messages repeat greetings, addresses and set phrases.
``clear_cache`` empties it (benchmarks do, so repeated runs on the same text measure real work).

The cutter reads the tokenizer's dictionary once: words added to the tokenizer afterwards are not
seen (``Segmenter`` adds its user dictionary before building one).
"""

from __future__ import annotations

import re
from math import log
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

PREFIX = 1.0                     # marks a dictionary key that is only a prefix (log probabilities are < 0)
MIN_FLOAT = -3.14e100            # jieba.finalseg's score for a character a state never emits
_NEG_INF = float("-inf")
_HMM_HAN = re.compile("([\u4E00-\u9FD5]+)")          # jieba.finalseg.re_han
_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # jieba.finalseg.re_skip


class HmmCutter:
    """``jieba.finalseg.cut``: the BMES hidden Markov model for words the dictionary lacks."""

    def __init__(self) -> None:
        from jieba import finalseg
        self._finalseg = finalseg
        start, trans, emit = finalseg.start_P, finalseg.trans_P, finalseg.emit_P
        self._start = (start["B"], start["M"], start["E"], start["S"])
        self._emit = (emit["B"], emit["M"], emit["E"], emit["S"])
        self._trans = (trans["E"]["B"], trans["S"]["B"], trans["M"]["M"], trans["B"]["M"],
                       trans["S"]["S"], trans["E"]["S"], trans["B"]["E"], trans["M"]["E"])

    def states(self, obs: str) -> str:
        """The best BMES state sequence (jieba's ``viterbi``; ties go to the later state name)."""
        eb, em, ee, es = self._emit
        t_eb, t_sb, t_mm, t_bm, t_ss, t_es, t_be, t_me = self._trans
        c = obs[0]
        b = self._start[0] + eb.get(c, MIN_FLOAT)
        m = self._start[1] + em.get(c, MIN_FLOAT)
        e = self._start[2] + ee.get(c, MIN_FLOAT)
        s = self._start[3] + es.get(c, MIN_FLOAT)
        back: list[tuple[str, str, str, str]] = []
        for c in obs[1:]:
            p = eb.get(c, MIN_FLOAT)
            x, y = e + t_eb + p, s + t_sb + p
            nb, pb = (y, "S") if y >= x else (x, "E")
            p = em.get(c, MIN_FLOAT)
            x, y = b + t_bm + p, m + t_mm + p
            nm, pm = (y, "M") if y >= x else (x, "B")
            p = ee.get(c, MIN_FLOAT)
            x, y = b + t_be + p, m + t_me + p
            ne, pe = (y, "M") if y >= x else (x, "B")
            p = es.get(c, MIN_FLOAT)
            x, y = e + t_es + p, s + t_ss + p
            ns, ps = (y, "S") if y >= x else (x, "E")
            b, m, e, s = nb, nm, ne, ns
            back.append((pb, pm, pe, ps))
        state = "S" if s >= e else "E"
        out = [state]
        for prev in reversed(back):
            state = prev["BMES".index(state)]
            out.append(state)
        out.reverse()
        return "".join(out)

    def _cut_han(self, sentence: str, out: list[str]) -> None:
        states = self.states(sentence)
        begin = nexti = 0
        force_split = self._finalseg.Force_Split_Words
        for i, pos in enumerate(states):
            word = None
            if pos == "B":
                begin = i
            elif pos == "E":
                word, nexti = sentence[begin:i + 1], i + 1
            elif pos == "S":
                word, nexti = sentence[i], i + 1
            if word is not None:
                if word in force_split:
                    out.extend(word)
                else:
                    out.append(word)
        if nexti < len(sentence):
            word = sentence[nexti:]
            if word in force_split:
                out.extend(word)
            else:
                out.append(word)

    def cut(self, sentence: str) -> list[str]:
        out: list[str] = []
        for i, blk in enumerate(_HMM_HAN.split(sentence)):
            if i & 1:   # a match of the split pattern (see DagCutter.lcut)
                self._cut_han(blk, out)
            elif blk:
                out.extend(x for x in _HMM_SKIP.split(blk) if x)
        return out


def compiled_index() -> type | None:
    """``nlp._dag_route.DagIndex`` when the optional C extension was built at install, else None."""
    try:
        from nlp._dag_route import DagIndex
    except ImportError:
        return None
    return DagIndex


class DagCutter:
    """Accurate-mode cutting over one ``jieba.Tokenizer``'s dictionary."""

    def __init__(self, tokenizer: "jieba.Tokenizer", cache_size: int = 100_000, compiled: bool | None = None) -> None:
        """``compiled``: walk the dictionary in C (``nlp._dag_route``); None: when it was built at install."""
        import jieba
        tokenizer.check_initialized()
        logtotal = log(tokenizer.total)
        # word -> log probability (always < 0); a key that is only a prefix of words -> PREFIX.
        # One float object per distinct frequency: forked workers then share the dictionary's
        # pages instead of copying each page whose value a look-up touches (reference counts).
        by_freq: dict[int, float] = {0: PREFIX}
        self._logp = {w: by_freq[f] if f in by_freq else by_freq.setdefault(f, log(f) - logtotal)
                      for w, f in tokenizer.FREQ.items()}
        self._miss = log(1) - logtotal   # jieba scores an unknown single character as frequency 1
        self._re_han = jieba.re_han_default
        self._re_skip = jieba.re_skip_default
        self._hmm_cut = HmmCutter().cut
        self.cache_size = cache_size
        index_type = compiled_index() if compiled is not False else None
        if compiled and index_type is None:
            raise RuntimeError("nlp._dag_route was not built (no C compiler at install time)")
        self._index = None if index_type is None else index_type(self._logp)
        self._blocks: dict[str, tuple[str, ...]] = {}
        self._hmm: dict[str, tuple[str, ...]] = {}

    def clear_cache(self) -> None:
        self._blocks.clear()
        self._hmm.clear()

    def _route(self, s: str) -> list[int]:
        """For each position, the end index of the best word starting there (jieba's ``calc``)."""
        n = len(s)
        get, miss = self._logp.get, self._miss
        best = [0.0] * (n + 1)
        ends = [0] * n
        for k in range(n - 1, -1, -1):
            i = k
            p = get(s[k])
            score = _NEG_INF
            end = -1
            while p is not None:          # every prefix of a dictionary word is a key
                if p < 0.0:               # a word (not only a prefix): log probability
                    sc = p + best[i + 1]
                    if sc >= score:       # ties: the later end, as max() over (score, x)
                        score, end = sc, i
                i += 1
                if i >= n:
                    break
                p = get(s[k:i + 1])
            if end < 0:
                score, end = miss + best[k + 1], k
            best[k] = score
            ends[k] = end
        return ends

    def _flush(self, buf: str, out: list[str]) -> None:
        if len(buf) == 1:
            out.append(buf)
        elif self._logp.get(buf, PREFIX) is PREFIX:   # not a dictionary word: jieba's ``not FREQ.get(buf)``
            cut = self._hmm.get(buf)
            if cut is None:
                cut = tuple(self._hmm_cut(buf))
                if len(self._hmm) < self.cache_size:
                    self._hmm[buf] = cut
            out.extend(cut)
        else:
            out.extend(buf)

    def cut_block(self, s: str) -> tuple[str, ...]:
        cached = self._blocks.get(s)
        if cached is not None:
            return cached
        ends = self._route(s) if self._index is None else self._index.route(s, self._miss)
        out: list[str] = []
        x, n, buf = 0, len(s), ""
        while x < n:
            y = ends[x] + 1
            if y - x == 1:
                buf += s[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append(s[x:y])
            x = y
        if buf:
            self._flush(buf, out)
        result = tuple(out)
        if len(self._blocks) < self.cache_size:
            self._blocks[s] = result
        return result

    def lcut(self, text: str) -> list[str]:
        # ``split`` with one capturing group alternates between text outside matches (even places)
        # and matches (odd places), which is what jieba tests each piece for with ``match``
        out: list[str] = []
        cut_block, skip_split = self.cut_block, self._re_skip.split
        for i, blk in enumerate(self._re_han.split(text)):
            if not blk:
                continue
            if i & 1:
                out.extend(cut_block(blk))
            else:
                for j, part in enumerate(skip_split(blk)):
                    if j & 1:
                        out.append(part)
                    else:
                        out.extend(part)
        return out
