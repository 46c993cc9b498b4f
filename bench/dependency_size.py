"""What installing suqiu costs on disk: the installed size of its runtime dependencies (and of an extra).

    .venv/bin/python bench/dependency_size.py [--pyproject FILE] [--extra dev] [--compare OLD_PYPROJECT]

Resolves the dependency closure of ``[project] dependencies`` (plus the named extras) over the
distributions installed in this environment (their ``Requires-Dist`` with markers evaluated) and
adds up the files each one's RECORD lists, as ``du`` of a fresh venv's site-packages would count
them (bytes of the files, not blocks). ``--compare`` prints the same for another pyproject (for
example the previous release's, ``git show REV:pyproject.toml > /tmp/old.toml``) and the
distributions that came and went. A requirement not installed here is listed as missing.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _size(dist: metadata.Distribution) -> int:
    total = 0
    for f in dist.files or ():
        path = Path(str(dist.locate_file(f)))
        if path.is_file():
            total += path.stat().st_size
    return total


def closure(requirements: list[str]) -> tuple[dict[str, int], list[str]]:
    """{distribution: installed bytes} over the closure, and the requirements missing here."""
    installed = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions()}
    todo = [Requirement(r) for r in requirements]
    seen: dict[str, int] = {}
    done: dict[str, set[str]] = {}
    missing: list[str] = []
    base = default_environment()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        dist = installed.get(name)
        if dist is None:
            missing.append(str(req))
            continue
        wanted = (req.extras | {""}) - done.get(name, set())
        if not wanted:
            continue   # an extra asked for later (httpx[http2]) still brings its own dependencies
        done.setdefault(name, set()).update(wanted)
        seen.setdefault(name, _size(dist))
        for raw in dist.requires or ():
            child = Requirement(raw)
            if child.marker is None or any(child.marker.evaluate({**base, "extra": e}) for e in wanted):
                todo.append(child)
    return seen, missing


def requirements_of(pyproject: Path, extras: list[str]) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    reqs = list(project.get("dependencies", []))
    for extra in extras:
        reqs += project.get("optional-dependencies", {}).get(extra, [])
    return reqs


def report(label: str, pyproject: Path, extras: list[str]) -> dict[str, int]:
    sizes, missing = closure(requirements_of(pyproject, extras))
    total = sum(sizes.values())
    print(f"{label}: {pyproject} {'+' + ','.join(extras) if extras else ''}")
    print(f"  {len(sizes)} distributions, {total / 1e6:.1f} MB installed")
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {name:28} {size / 1e6:7.1f} MB")
    for req in missing:
        print(f"  missing here: {req}")
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("--compare", type=Path, default=None)
    args = ap.parse_args()
    now = report("this", args.pyproject, args.extra)
    if args.compare is None:
        return
    old = report("compared", args.compare, args.extra)
    gone, came = sorted(set(old) - set(now)), sorted(set(now) - set(old))
    print(f"difference: {(sum(now.values()) - sum(old.values())) / 1e6:+.1f} MB")
    for name in gone:
        print(f"  - {name:28} {old[name] / 1e6:7.1f} MB")
    for name in came:
        print(f"  + {name:28} {now[name] / 1e6:7.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
