#!/usr/bin/env python3
"""Times the recommendation pipeline: `stable` against `latest`, and what each extra stack costs.

For each requirement set in bench/sets/, `thoth advise --dry-run` runs with `-t latest
--count 1`, `-t stable --count 1` and `-t latest --count 3`, cold (an empty cache) and
warm (the cache the cold run filled). It prints the medians, `stable/latest` (target:
at most 1.2) and the cost of each extra stack in warm resolves, `(count 3 - count 1) / 2
/ count 1` (target: at most 1), and saves them to bench/results/.

    python3 bench/pipeline_bench.py                      # against PyPI
    python3 bench/pipeline_bench.py --sets bench/sets/web.txt --warm 5
    python3 bench/pipeline_bench.py --index-url http://127.0.0.1:8765/simple/
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MODES = {
    "latest-1": ["-t", "latest", "--count", "1"],
    "stable-1": ["-t", "stable", "--count", "1"],
    "latest-3": ["-t", "latest", "--count", "3"],
}


def thoth() -> str:
    binary = ROOT / ".venv" / "bin" / "thoth"
    if not binary.exists():
        sys.exit("thoth is not installed in .venv: run the README's first command once")
    return str(binary)


def run(argv: list[str], cwd: Path) -> tuple[float, bool, str]:
    env = dict(os.environ, NO_COLOR="1")
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc.returncode == 0, proc.stderr.strip()[-400:]


def measure(manifest: Path, args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    times: dict[str, dict[str, list[float]]] = {mode: {"cold": [], "warm": []} for mode in MODES}
    for _ in range(args.repeat):
        for mode, flags in MODES.items():
            with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
                work = Path(tmp)
                local = work / "requirements.in"
                shutil.copyfile(manifest, local)
                argv = [
                    thoth(), "-q", "advise", "--manifest", str(local), "--dry-run",
                    "--python-version", args.python_version, "--cache-dir", str(work / "cache"),
                    *extra_flags(), *(["--index-url", args.index_url] if args.index_url else []), *flags,
                ]  # fmt: skip
                for phase, count in (("cold", 1), ("warm", args.warm)):
                    for _ in range(count):
                        seconds, ok, text = run(argv, work)
                        if not ok:
                            sys.exit(f"{manifest.stem} {mode} failed: {text}")
                        times[mode][phase].append(seconds)
    return times


def extra_flags() -> list[str]:
    """Advisories from the network would time the OSV API, not the pipeline: leave them out."""
    help_text = subprocess.run(
        [thoth(), "advise", "--help"], capture_output=True, text=True, check=False
    ).stdout
    return ["--no-advisories"] if "--no-advisories" in help_text else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets", nargs="*", type=Path, default=sorted((ROOT / "bench" / "sets").glob("*.txt"))
    )
    parser.add_argument("--repeat", type=int, default=2, help="cold runs per mode and set")
    parser.add_argument("--warm", type=int, default=3, help="warm runs after each cold run")
    parser.add_argument("--index-url", default=None)
    parser.add_argument("--python-version", default=".".join(map(str, sys.version_info[:3])))
    args = parser.parse_args()
    results = {}
    header = f"{'set':<10} {'phase':<5} {'latest':>8} {'stable':>8} {'count 3':>8}"
    print(f"{header} {'stable/latest':>14} {'per extra stack':>16}")
    for manifest in args.sets:
        times = measure(manifest, args)
        results[manifest.stem] = times
        for phase in ("cold", "warm"):
            latest, stable, three = (statistics.median(times[m][phase]) for m in MODES)
            extra = (three - latest) / 2 / latest
            print(
                f"{manifest.stem:<10} {phase:<5} {latest:>7.2f}s {stable:>7.2f}s {three:>7.2f}s "
                f"{stable / latest:>14.2f} {extra:>15.2f}x"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"pipeline-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nsaved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
