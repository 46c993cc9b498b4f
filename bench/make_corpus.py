"""Write a benchmark corpus of hotline work orders as a 12345 export CSV, and say how it went.

    .venv/bin/python bench/make_corpus.py --n 1000000 --seed 1 --out PATH [--mode auto|grammar|teddy]

``auto`` recombines the real Teddy Cup 2020 C sentences when ../shared/datasets/teddy2020c is
present and uses the grammar otherwise (the mode used is printed). Prints records/s (wall clock
and CPU time; the machine may be shared), the near-duplicate share by construction (records
that resubmit an earlier work order), the file size and the peak memory of the process, which
stays flat as ``--n`` grows because nothing but one day of work orders is held.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawlers.corpus import iter_corpus, load_sentences, write_csv  # noqa: E402
from crawlers.corpus.generator import shipped_config  # noqa: E402

TEDDY = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "teddy2020c"


class Tally:
    """Counts what streams past on its way to the writer."""

    def __init__(self) -> None:
        self.records = self.copies = self.real = 0

    def through(self, pairs: Iterator[tuple[dict[str, Any], Any]]) -> Iterator[dict[str, Any]]:
        for record, truth in pairs:
            self.records += 1
            self.copies += truth.is_copy
            self.real += truth.real
            yield record


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--mode", choices=("auto", "grammar", "teddy"), default="auto")
    ap.add_argument("--datasets", type=Path, default=TEDDY, help="the teddy2020c directory")
    args = ap.parse_args()
    config = shipped_config()
    mode = args.mode if args.mode != "auto" else ("teddy" if args.datasets.is_dir() else "grammar")
    if mode == "teddy" and not args.datasets.is_dir():
        sys.exit(f"跳过：没有共享数据集目录 {args.datasets}（teddy 模式需要 ../shared/datasets）")
    if args.mode == "auto" and mode == "grammar":
        print(f"no Teddy data at {args.datasets}: the grammar writes every record")
    bank = load_sentences(args.datasets, config) if mode == "teddy" else None
    tally = Tally()
    wall, cpu = time.perf_counter(), time.process_time()
    rows = write_csv(tally.through(iter_corpus(args.n, args.seed, config=config, sentences=bank)), args.out,
                     config=config)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    size = args.out.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mode {mode}: {rows:,} rows → {args.out} (profile 12345-workorder)")
    print(f"  {wall:.1f} s wall, {rows / wall:,.0f} records/s; {cpu:.1f} s CPU, {rows / cpu:,.0f} records/s per core")
    print(f"  near-duplicates by construction: {tally.copies / rows:.2%} of records resubmit an earlier one")
    if bank is not None:
        print(f"  recombined from real sentences: {tally.real / rows:.1%} (the rest from the grammar)")
    print(f"  file size: {size / 2**20:,.1f} MiB ({size / rows:,.0f} bytes/row); peak memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
