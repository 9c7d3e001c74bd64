#!/usr/bin/env python3
"""Times `thoth advise --dry-run` against `pip-compile` and `uv pip compile` on the same sets.

Each tool resolves each requirement set in bench/sets/ for the same full target Python,
cold (an empty cache of its own) and warm (the cache the cold run filled), several
times; the medians and the ratios thoth/pip-compile and thoth/uv are printed and saved
to bench/results/. The tools run one after another on the same machine in the same run.

    python3 bench/advise_bench.py                    # against PyPI
    python3 bench/advise_bench.py --repeat 5 --sets bench/sets/web.txt
    python3 bench/advise_bench.py --index-url http://127.0.0.1:8765/simple/   # a local replay index

The tools are installed into bench/.tools (a virtual environment of their own) on first use.
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
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "bench" / ".tools"
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Timing:
    tool: str
    set: str
    phase: str
    seconds: list[float]
    ok: bool
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def ensure_tools() -> Path:
    """A venv with pip-tools and uv, so that the benchmark does not depend on the host."""
    python = TOOLS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pip-tools", "uv"], check=True)
    return TOOLS / "bin"


def thoth_binary() -> Path:
    candidate = ROOT / ".venv" / "bin" / "thoth"
    if not candidate.exists():
        sys.exit("thoth is not installed in .venv: run the README's first command once")
    return candidate


def commands(
    tool: str, manifest: Path, cache: Path, *, python_version: str, index_url: str | None, tools: Path
) -> list[str]:
    index = ["--index-url", index_url] if index_url else []
    if tool == "thoth":
        return [
            str(thoth_binary()),
            "-q",
            "advise",
            "--manifest",
            str(manifest),
            "--dry-run",
            "--python-version",
            python_version,
            "--cache-dir",
            str(cache),
            # The other tools check no advisories: time the same job.
            "--no-advisories",
            *index,
        ]
    if tool == "pip-compile":
        # pip-compile resolves for the interpreter it runs on: the tools venv has the same
        # Python as the target.
        return [
            str(tools / "pip-compile"),
            "--quiet",
            "--no-header",
            "--no-annotate",
            "--cache-dir",
            str(cache),
            "--output-file",
            "-",
            *index,
            str(manifest),
        ]
    if tool == "uv":
        return [
            str(tools / "uv"),
            "pip",
            "compile",
            "--quiet",
            "--no-header",
            "--python-version",
            python_version,
            "--cache-dir",
            str(cache),
            *index,
            str(manifest),
        ]
    raise ValueError(tool)


def run_once(argv: list[str], cwd: Path) -> tuple[float, bool, str]:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", NO_COLOR="1")
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, proc.returncode == 0, (proc.stderr or proc.stdout).strip()[-400:]


def measure(tool: str, manifest: Path, args: argparse.Namespace, tools: Path) -> list[Timing]:
    cold: list[float] = []
    warm: list[float] = []
    ok, note = True, ""
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix=f"bench-{tool}-") as tmp:
            work = Path(tmp)
            # pip-compile wants a .in file and writes beside it; give each tool its own copy.
            local = work / "requirements.in"
            shutil.copyfile(manifest, local)
            cache = work / "cache"
            argv = commands(
                tool, local, cache, python_version=args.python_version, index_url=args.index_url, tools=tools
            )
            seconds, success, text = run_once(argv, work)
            cold.append(seconds)
            ok, note = ok and success, note or ("" if success else text)
            for _ in range(args.warm):
                seconds, success, text = run_once(argv, work)
                warm.append(seconds)
                ok, note = ok and success, note or ("" if success else text)
    return [
        Timing(tool, manifest.stem, "cold", cold, ok, note),
        Timing(tool, manifest.stem, "warm", warm, ok, note),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets", nargs="*", type=Path, default=sorted((ROOT / "bench" / "sets").glob("*.txt"))
    )
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per tool and set")
    parser.add_argument("--warm", type=int, default=2, help="warm runs after each cold run")
    parser.add_argument("--tools", nargs="*", default=["thoth", "pip-compile", "uv"])
    parser.add_argument("--index-url", default=None)
    parser.add_argument(
        "--python-version",
        default=".".join(map(str, sys.version_info[:3])),
        help="full target Python (default: this interpreter's, which pip-compile also uses)",
    )
    args = parser.parse_args()
    tools = ensure_tools()
    timings: list[Timing] = []
    for manifest in args.sets:
        for tool in args.tools:
            timings.extend(measure(tool, manifest, args, tools))
    report(timings)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"advise-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps([asdict(t) | {"median": t.median} for t in timings], indent=2))
    print(f"\nsaved {out.relative_to(ROOT)}")


def report(timings: list[Timing]) -> None:
    by_key = {(t.tool, t.set, t.phase): t for t in timings}
    sets = sorted({t.set for t in timings})
    print(f"{'set':<10} {'phase':<5} {'thoth':>8} {'pip-compile':>12} {'uv':>8}", end="")
    print(f" {'thoth/pip-compile':>18} {'thoth/uv':>9}")
    for name in sets:
        for phase in ("cold", "warm"):
            row = {tool: by_key.get((tool, name, phase)) for tool in ("thoth", "pip-compile", "uv")}
            cells = [f"{row[t].median:.2f}s" if row[t] and row[t].ok else "fail" for t in row]
            thoth, pipc, uv = (row[t] for t in ("thoth", "pip-compile", "uv"))
            ratio_p = f"{thoth.median / pipc.median:.2f}" if thoth and pipc and thoth.ok and pipc.ok else "-"
            ratio_u = f"{thoth.median / uv.median:.2f}" if thoth and uv and thoth.ok and uv.ok else "-"
            print(
                f"{name:<10} {phase:<5} {cells[0]:>8} {cells[1]:>12} {cells[2]:>8} {ratio_p:>18} {ratio_u:>9}"
            )
    for timing in timings:
        if not timing.ok:
            print(f"\n{timing.tool} failed on {timing.set}: {timing.note}")


if __name__ == "__main__":
    main()
