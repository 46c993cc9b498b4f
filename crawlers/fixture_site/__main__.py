"""``python -m crawlers.fixture_site --port 8765``: serve the fixture site until interrupted."""

from __future__ import annotations

import argparse
import sys
import time

from crawlers.fixture_site.server import serve_fixture_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the suqiu fixture site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with serve_fixture_site(port=args.port, seed=args.seed) as running:
        print(f"测试站点已启动: {running.url}", file=sys.stderr, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
