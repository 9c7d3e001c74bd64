"""thoth's pins against uv's for each benchmark set on the real PyPI, both stacks checked against
the packages' own metadata and every difference explained (opt in with `-m network`).

    .venv/bin/python -m pytest -m network tests/test_network_uv.py -q
    THOTH_UV_REPORT=uv-report.json .venv/bin/python -m pytest -m network tests/test_network_uv.py

Both tools resolve the same set for the running interpreter's full Python version on
manylinux_2_28 x86_64 and admit only files uploaded before the session began, so that a release
published between the two runs cannot set them apart. uv is installed from the package index into
a virtual environment of the session's own.

Equal pins are not taken on trust: each stack is walked from the set's requirements through the
core metadata PyPI serves (read here with `packaging`, not with thoth's index code) and must pin
every requirement it reaches, inside its specifier, with a release the target can install, and
nothing else. With both stacks valid, a pin on which the tools differ is accepted only with a
stated explanation:
- each stack is newer somewhere, and the newer version does not fit the other stack's pins: two
  valid solutions reached by different backtracking orders;
- uv's stack is nowhere newer than thoth's: uv settled on an older valid solution (the reverse
  fails: `latest` promises the newest stack that works);
- uv's newer version has only an sdist for the target, which uv builds and thoth does not without
  --allow-build;
- a package on one side only is required by a pin that differs.
Explained differences are shown as warnings; the JSON report ($THOTH_UV_REPORT) lists every pin,
difference, explanation and failure.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import warnings
import zipfile
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from packaging.markers import default_environment
from packaging.metadata import Metadata
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

pytestmark = pytest.mark.network

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted((ROOT / "bench" / "sets").glob("*.txt"))
PYPI_SIMPLE = "https://pypi.org/simple/"
THOTH_PLATFORM = "manylinux_2_28_x86_64"
UV_PLATFORM = "x86_64-manylinux_2_28"
PYTHON = Version(".".join(str(part) for part in sys.version_info[:3]))

# Sets on which thoth is known to fail or differ because of a bug of its own: set name -> the bug.
KNOWN_THOTH_BUGS: dict[str, str] = {}


def _platforms() -> list[str]:
    """manylinux_2_28's ladder down to manylinux1, each legacy alias beside the tag it stands for."""
    aliases = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    ladder: list[str] = []
    for minor in range(28, 4, -1):
        ladder.append(f"manylinux_2_{minor}_x86_64")
        if minor in aliases:
            ladder.append(f"{aliases[minor]}_x86_64")
    return ladder


def _target_tags() -> dict[Tag, int]:
    """Every wheel tag the target installs, best first, as tag -> rank."""
    python = (PYTHON.major, PYTHON.minor)
    interpreter = f"cp{PYTHON.major}{PYTHON.minor}"
    tags = [
        *cpython_tags(python, abis=[interpreter], platforms=_platforms()),
        *compatible_tags(python, interpreter=interpreter, platforms=_platforms()),
    ]
    ranks: dict[Tag, int] = {}
    for rank, tag in enumerate(tags):
        ranks.setdefault(tag, rank)
    return ranks


def _marker_environment() -> dict[str, str]:
    """The target's marker values; the host's only where a target description has none (release)."""
    environment = {key: str(value) for key, value in default_environment().items()}
    environment.update(
        python_version=f"{PYTHON.major}.{PYTHON.minor}",
        python_full_version=str(PYTHON),
        implementation_name="cpython",
        implementation_version=str(PYTHON),
        platform_python_implementation="CPython",
        os_name="posix",
        sys_platform="linux",
        platform_system="Linux",
        platform_machine="x86_64",
    )
    return environment


TAGS = _target_tags()
MARKERS = _marker_environment()


# --- the two tools' answers -------------------------------------------------------------------


def read_set(path: Path) -> list[Requirement]:
    """A benchmark set: one requirement a line, blank lines and comments ignored."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def parse_pins(text: str) -> dict[NormalizedName, Requirement]:
    """The `name[extras]==version` pins of a requirements file, hashes and options left out."""
    pins: dict[NormalizedName, Requirement] = {}
    for logical in text.replace("\\\n", " ").splitlines():
        line = re.sub(r"\s--hash=\S+", "", logical).strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        [spec] = requirement.specifier
        assert spec.operator == "==", line
        pins[canonicalize_name(requirement.name)] = requirement
    return pins


def versions(pins: Mapping[NormalizedName, Requirement]) -> dict[NormalizedName, Version]:
    return {name: Version(next(iter(req.specifier)).version) for name, req in pins.items()}


def parse_table(text: str) -> dict[NormalizedName, Version]:
    """The package/version rows of `thoth advise`'s table."""
    rows = [line.split() for line in text.splitlines() if line.strip()]
    assert rows[0][:2] == ["package", "version"], text
    return {canonicalize_name(row[0]): Version(row[1]) for row in rows[1:]}


def tool_environment() -> dict[str, str]:
    """The caller's environment without settings that would point either tool elsewhere."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("THOTH_", "UV_"))}
    # A wide console keeps each table row on one line.
    environment.update(NO_COLOR="1", COLUMNS="250")
    return environment


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Only a guard against a hung download: nothing is measured.
    return subprocess.run(
        argv, cwd=cwd, env=tool_environment(), capture_output=True, text=True, check=False, timeout=1800
    )


def executable(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if sys.platform == "win32" else "bin") / name


# --- PyPI, read independently of thoth ----------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """What one release needs and offers on the target, from PyPI's own files."""

    name: NormalizedName
    version: Version
    requires_dist: tuple[Requirement, ...]
    requires_python: SpecifierSet | None
    wheels: tuple[str, ...]
    """Live (not yanked) wheels the target installs, best first."""
    sdists: tuple[str, ...]
    """Live sdists whose Requires-Python admits the target."""
    metadata_from: str


class PyPI:
    """Project pages (PEP 691) and core metadata (PEP 658, else the JSON API), memoised."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client
        self._pages: dict[NormalizedName, list[dict[str, Any]]] = {}
        self._releases: dict[tuple[NormalizedName, Version], Release] = {}
        self._lock = threading.Lock()

    def files(self, name: NormalizedName) -> list[dict[str, Any]]:
        with self._lock:
            known = self._pages.get(name)
        if known is None:
            response = self._client.get(
                f"{PYPI_SIMPLE}{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
            )
            response.raise_for_status()
            known = list(response.json()["files"])
            with self._lock:
                self._pages[name] = known
        return known

    def release(self, name: NormalizedName, version: Version) -> Release:
        with self._lock:
            known = self._releases.get((name, version))
        if known is None:
            known = self._fetch(name, version)
            with self._lock:
                self._releases[(name, version)] = known
        return known

    def prefetch(self, releases: set[tuple[NormalizedName, Version]]) -> None:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda item: self.release(*item), sorted(releases)))

    def _fetch(self, name: NormalizedName, version: Version) -> Release:
        ranked: list[tuple[int, dict[str, Any]]] = []
        other_wheels: list[dict[str, Any]] = []
        sdists: list[dict[str, Any]] = []
        for file in self.files(name):
            filename = file["filename"]
            try:
                _, file_version, _, tags = parse_wheel_filename(filename)
            except InvalidWheelFilename:
                try:
                    _, file_version = parse_sdist_filename(filename)
                except InvalidSdistFilename:
                    continue
                if file_version == version and not file.get("yanked") and _python_allows(file):
                    sdists.append(file)
                continue
            if file_version != version:
                continue
            rank = min((TAGS[tag] for tag in tags if tag in TAGS), default=None)
            if rank is not None and not file.get("yanked") and _python_allows(file):
                ranked.append((rank, file))
            else:
                other_wheels.append(file)
        wheels = [file for _, file in sorted(ranked, key=lambda item: (item[0], item[1]["filename"]))]
        # Any wheel of a release states the same dependencies; the target's best is read first.
        source = next(iter([*wheels, *other_wheels, *sdists]), None)
        if source is None:
            raise LookupError(f"PyPI lists no file of {name}=={version}")
        metadata = self._metadata(source)
        return Release(
            name=name,
            version=version,
            requires_dist=tuple(metadata.requires_dist or ()),
            requires_python=metadata.requires_python,
            wheels=tuple(file["filename"] for file in wheels),
            sdists=tuple(file["filename"] for file in sdists),
            metadata_from=source["filename"],
        )

    def _metadata(self, file: Mapping[str, Any]) -> Metadata:
        """Core metadata: PEP 658's file when served, else read out of the wheel by range requests,
        else an sdist's PKG-INFO when it declares its dependencies static (metadata 2.2)."""
        filename: str = file["filename"]
        if filename.endswith(".whl"):
            response = self._client.get(file["url"] + ".metadata")
            if response.status_code == 200:
                return Metadata.from_email(response.content, validate=False)
            with zipfile.ZipFile(_RangeFile(self._client, file["url"])) as wheel:
                [member] = [
                    n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n) is not None
                ]
                return Metadata.from_email(wheel.read(member), validate=False)
        response = self._client.get(file["url"])
        response.raise_for_status()
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                [member] = [n for n in archive.namelist() if re.fullmatch(r"[^/]+/PKG-INFO", n) is not None]
                content = archive.read(member)
        else:
            with tarfile.open(fileobj=io.BytesIO(response.content)) as archive:
                [info] = [m for m in archive.getmembers() if re.fullmatch(r"[^/]+/PKG-INFO", m.name)]
                extracted = archive.extractfile(info)
                assert extracted is not None, filename
                content = extracted.read()
        metadata = Metadata.from_email(content, validate=False)
        if Version(metadata.metadata_version) < Version("2.2") or "requires-dist" in {
            field.lower() for field in metadata.dynamic or ()
        }:
            raise LookupError(f"{filename} has no wheel and its dependencies are known only by a build")
        return metadata


class _RangeFile(io.RawIOBase):
    """A remote file, read by HTTP range requests, seekable: what zipfile needs to read one member."""

    BLOCK = 64 * 1024

    def __init__(self, client: httpx.Client, url: str) -> None:
        super().__init__()
        self._client = client
        self._url = url
        tail = self._get(f"bytes=-{self.BLOCK}")
        self._size = int(tail.headers["content-range"].rpartition("/")[2])
        self._start = self._size - len(tail.content)
        self._data = tail.content
        self._position = 0

    def _get(self, byte_range: str) -> httpx.Response:
        response = self._client.get(self._url, headers={"Range": byte_range})
        assert response.status_code == 206, f"{self._url}: no range answer ({response.status_code})"
        return response

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = base + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        end = min(self._position + len(view), self._size)
        if end <= self._position:
            return 0
        if not (self._start <= self._position and end <= self._start + len(self._data)):
            fetch_end = min(max(end, self._position + self.BLOCK), self._size)
            self._start = self._position
            self._data = self._get(f"bytes={self._position}-{fetch_end - 1}").content
        chunk = self._data[self._position - self._start : end - self._start]
        view[: len(chunk)] = chunk
        self._position += len(chunk)
        return len(chunk)


def _python_allows(file: Mapping[str, Any]) -> bool:
    text = file.get("requires-python")
    if not text:
        return True
    try:
        return SpecifierSet(text).contains(PYTHON, prereleases=True)
    except InvalidSpecifier:
        # As pip: an unreadable Requires-Python does not exclude the file.
        return True


# --- is a stack valid? -----------------------------------------------------------------------------

BREAKING = ("conflict", "python", "uninstallable")


@dataclass(frozen=True)
class Problem:
    """One way a stack fails its requirements: `kind` is missing, conflict, python, uninstallable or
    stray."""

    kind: str
    package: NormalizedName
    text: str


@dataclass(frozen=True)
class Edge:
    """`parent` (None: the set itself) at `parent_version` requires `requirement`."""

    parent: NormalizedName | None
    parent_version: Version | None
    requirement: str


@dataclass(frozen=True)
class Check:
    problems: tuple[Problem, ...]
    required_by: Mapping[NormalizedName, tuple[Edge, ...]]
    extras: Mapping[NormalizedName, frozenset[str]]
    """The extras of each package that the stack's requirements ask for."""


def check_stack(pins: Mapping[NormalizedName, Version], roots: list[Requirement], pypi: PyPI) -> Check:
    """Walk the requirements from `roots` through the pinned releases' metadata on the target."""
    problems: list[Problem] = []
    required_by: dict[NormalizedName, list[Edge]] = {}
    extras: dict[NormalizedName, set[str]] = {}
    queue: deque[tuple[NormalizedName | None, Requirement]] = deque(
        (None, req) for req in roots if req.marker is None or req.marker.evaluate({**MARKERS, "extra": ""})
    )
    seen: set[tuple[NormalizedName | None, str]] = set()
    while queue:
        parent, requirement = queue.popleft()
        if (parent, str(requirement)) in seen:
            continue
        seen.add((parent, str(requirement)))
        name = canonicalize_name(requirement.name)
        parent_version = pins[parent] if parent is not None else None
        by = "the set" if parent is None else f"{parent}=={parent_version}"
        required_by.setdefault(name, []).append(Edge(parent, parent_version, str(requirement)))
        version = pins.get(name)
        if version is None:
            problems.append(Problem("missing", name, f"{by} requires {requirement}, which is not pinned"))
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(Problem("conflict", name, f"{by} requires {requirement}, not {name}=={version}"))
        asked = {canonicalize_name(extra) for extra in requirement.extras}
        known = extras.get(name)
        fresh = asked - known if known is not None else {"", *asked}
        if not fresh:
            continue
        extras.setdefault(name, set()).update(fresh)
        release = pypi.release(name, version)
        if known is None:
            problems.extend(_release_problems(release))
        for extra in sorted(fresh):
            for dependency in release.requires_dist:
                if dependency.marker is None or dependency.marker.evaluate({**MARKERS, "extra": extra}):
                    queue.append((name, dependency))
    for name in sorted(pins.keys() - extras.keys()):
        problems.append(Problem("stray", name, f"{name}=={pins[name]} is pinned but nothing requires it"))
    return Check(
        problems=tuple(problems),
        required_by={name: tuple(edges) for name, edges in required_by.items()},
        extras={name: frozenset(asked - {""}) for name, asked in extras.items()},
    )


def _release_problems(release: Release) -> Iterator[Problem]:
    pin = f"{release.name}=={release.version}"
    if release.requires_python is not None and not release.requires_python.contains(PYTHON, prereleases=True):
        yield Problem("python", release.name, f"{pin} requires Python {release.requires_python}")
    if not release.wheels and not release.sdists:
        yield Problem("uninstallable", release.name, f"{pin} has no live wheel or sdist for the target")


# --- explaining differences -----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    package: NormalizedName
    thoth: str | None
    uv: str | None
    explanation: str | None
    """None: nothing accounts for it, and the test fails."""


def explain(
    stacks: Mapping[str, Mapping[NormalizedName, Version]],
    checks: Mapping[str, Check],
    roots: list[Requirement],
    pypi: PyPI,
) -> list[Difference]:
    """Every pin on which thoth and uv differ, with why, when a reason can be shown."""
    thoth, uv = stacks["thoth"], stacks["uv"]
    common = thoth.keys() & uv.keys()
    newer = {
        "thoth": {name for name in common if thoth[name] > uv[name]},
        "uv": {name for name in common if uv[name] > thoth[name]},
    }
    differences: list[Difference] = []
    for name in sorted(thoth.keys() | uv.keys()):
        ours, theirs = thoth.get(name), uv.get(name)
        if ours == theirs:
            continue
        if ours is None or theirs is None:
            tool = "thoth" if theirs is None else "uv"
            reason = _only_one_side(name, tool, stacks, checks)
        else:
            reason = _other_version(name, ours, theirs, stacks, newer, roots, pypi)
        differences.append(
            Difference(name, str(ours) if ours else None, str(theirs) if theirs else None, reason)
        )
    return differences


def _only_one_side(
    name: NormalizedName,
    tool: str,
    stacks: Mapping[str, Mapping[NormalizedName, Version]],
    checks: Mapping[str, Check],
) -> str | None:
    other = "uv" if tool == "thoth" else "thoth"
    for edge in checks[tool].required_by.get(name, ()):
        if edge.parent is None:
            continue
        there = stacks[other].get(edge.parent)
        if there != edge.parent_version:
            return (
                f"only {tool} pins it: {edge.parent}=={edge.parent_version} requires {edge.requirement}, "
                f"and {other} pins {edge.parent}=={there}" + ("" if there else " nowhere")
            )
    return None


def _other_version(
    name: NormalizedName,
    ours: Version,
    theirs: Version,
    stacks: Mapping[str, Mapping[NormalizedName, Version]],
    newer: Mapping[str, set[NormalizedName]],
    roots: list[Requirement],
    pypi: PyPI,
) -> str | None:
    newer_tool, older_tool = ("thoth", "uv") if ours > theirs else ("uv", "thoth")
    new, old = max(ours, theirs), min(ours, theirs)
    release = pypi.release(name, new)
    if older_tool == "thoth" and not release.wheels and release.sdists:
        return (
            f"uv pins {new}, which has only an sdist for the target: uv builds it, thoth runs no build "
            f"backend without --allow-build and pins {old}"
        )
    if not newer[older_tool]:
        # Not a trade-off: the other stack is as new or newer everywhere, and valid. `latest` is
        # thoth's promise, so thoth falling behind this way is a fault; uv doing so is uv's choice.
        if older_tool == "thoth":
            return None
        return (
            f"thoth pins {new}, uv {old}: uv's stack is nowhere newer than thoth's and thoth's is valid; "
            "uv settled on an older valid solution"
        )
    # A trade-off: each stack is newer somewhere. Put the newer version into the other stack, with
    # whatever new dependencies it brings taken from the stack that has it: if the result breaks,
    # the older pin is what the other stack's newer pins cost.
    trial = dict(stacks[older_tool])
    trial[name] = new
    for _ in range(len(stacks[newer_tool]) + 1):
        result = check_stack(trial, roots, pypi)
        missing = {p.package for p in result.problems if p.kind == "missing"}
        brought = {m: stacks[newer_tool][m] for m in missing if m in stacks[newer_tool]}
        if not brought:
            break
        trial.update(brought)
    breaks = [p.text for p in result.problems if p.kind in BREAKING or p.kind == "missing"]
    if not breaks:
        return None
    return (
        f"{newer_tool} pins {new}, {older_tool} {old}; both stacks are valid, {older_tool}'s is newer in "
        f"{', '.join(sorted(newer[older_tool]))}, and {name}=={new} does not fit {older_tool}'s other pins "
        f"({'; '.join(breaks)}): the resolvers' backtracking orders reached two different valid solutions"
    )


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def uv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """uv from the package index, in a virtual environment of the session's own."""
    venv = tmp_path_factory.mktemp("uv-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(executable(venv, "python")), "-m", "pip", "install", "--quiet", "uv"],
        check=True,
        env=tool_environment(),
    )
    return executable(venv, "uv")


@pytest.fixture(scope="session")
def cutoff() -> str:
    """One upload-time bound for both tools: a release published mid-session cannot split them."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="session")
def pypi() -> Iterator[PyPI]:
    with httpx.Client(follow_redirects=True, timeout=60, headers={"User-Agent": "thoth_cli-tests"}) as client:
        yield PyPI(client)


@pytest.fixture(scope="session")
def caches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A cold cache per tool for the session: no answer comes from a user's earlier runs."""
    root = tmp_path_factory.mktemp("caches")
    return {"thoth": root / "thoth", "uv": root / "uv"}


@pytest.fixture(scope="session")
def report(uv: Path, cutoff: str) -> Iterator[dict[str, Any]]:
    """Per-set results, written as JSON to $THOTH_UV_REPORT (atomically) when the session ends."""
    version = subprocess.run([str(uv), "--version"], capture_output=True, text=True, check=True)
    content: dict[str, Any] = {
        "python": str(PYTHON),
        "platform": THOTH_PLATFORM,
        "exclude_newer": cutoff,
        "uv": version.stdout.strip(),
        "sets": {},
    }
    yield content
    destination = os.environ.get("THOTH_UV_REPORT")
    if destination:
        path = Path(destination).resolve()
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
            json.dump(content, handle, indent=2, sort_keys=True)
            handle.write("\n")
        Path(handle.name).replace(path)


# --- the test ------------------------------------------------------------------------------------


class ExplainedDifference(UserWarning):
    """thoth and uv pin a package differently, for a reason the test shows."""


@dataclass(frozen=True)
class Outcome:
    set: str
    thoth_pins: dict[str, str]
    uv_pins: dict[str, str]
    thoth_problems: list[str] = field(default_factory=list)
    uv_problems: list[str] = field(default_factory=list)
    differences: list[dict[str, str | None]] = field(default_factory=list)


def _succeeded(
    process: subprocess.CompletedProcess[str], what: str, requirement_set: Path, report: dict[str, Any]
) -> None:
    if process.returncode != 0:
        failure = f"{what} failed with exit code {process.returncode}:\n{process.stderr.strip()}"
        report["sets"][requirement_set.stem] = {"set": requirement_set.stem, "failure": failure}
        pytest.fail(failure)


def _param(path: Path) -> Any:
    bug = KNOWN_THOTH_BUGS.get(path.stem)
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("requirement_set", [_param(path) for path in SETS])
def test_thoth_and_uv_pin_the_same_valid_stack(
    requirement_set: Path,
    uv: Path,
    cutoff: str,
    pypi: PyPI,
    caches: dict[str, Path],
    report: dict[str, Any],
    tmp_path: Path,
) -> None:
    manifest = tmp_path / "requirements.in"
    shutil.copyfile(requirement_set, manifest)
    roots = read_set(requirement_set)
    thoth_argv = [
        sys.executable,
        "-m",
        "thoth_cli",
        "advise",
        "--manifest",
        str(manifest),
        "--lock-format",
        "requirements.txt",
        "--python-version",
        str(PYTHON),
        "--platform",
        THOTH_PLATFORM,
        "--exclude-newer",
        cutoff,
        "--cache-dir",
        str(caches["thoth"]),
    ]

    dry = run([*thoth_argv, "--dry-run", "--output", os.devnull], tmp_path)
    _succeeded(dry, "thoth advise --dry-run", requirement_set, report)
    lock = tmp_path / "requirements.txt"
    locked = run([*thoth_argv, "--output", str(lock)], tmp_path)
    _succeeded(locked, "thoth advise", requirement_set, report)
    compiled = run(
        [
            str(uv),
            "pip",
            "compile",
            str(manifest),
            "--python-version",
            str(PYTHON),
            "--python-platform",
            UV_PLATFORM,
            "--no-header",
            "--no-annotate",
            "--no-config",
            "--exclude-newer",
            cutoff,
            "--cache-dir",
            str(caches["uv"]),
            "--quiet",
        ],
        tmp_path,
    )
    _succeeded(compiled, "uv pip compile", requirement_set, report)

    thoth_locked = parse_pins(lock.read_text())
    stacks = {"thoth": versions(thoth_locked), "uv": versions(parse_pins(compiled.stdout))}
    pypi.prefetch({(name, version) for stack in stacks.values() for name, version in stack.items()})
    checks = {tool: check_stack(stack, roots, pypi) for tool, stack in stacks.items()}
    differences = explain(stacks, checks, roots, pypi)
    report["sets"][requirement_set.stem] = asdict(
        Outcome(
            set=requirement_set.stem,
            thoth_pins={name: str(version) for name, version in sorted(stacks["thoth"].items())},
            uv_pins={name: str(version) for name, version in sorted(stacks["uv"].items())},
            thoth_problems=[p.text for p in checks["thoth"].problems],
            uv_problems=[p.text for p in checks["uv"].problems],
            differences=[asdict(d) for d in differences],
        )
    )

    assert parse_table(dry.stdout) == stacks["thoth"], "the dry run's table is not the lock's pins"
    assert not checks["thoth"].problems, "thoth's stack breaks its requirements:\n" + "\n".join(
        p.text for p in checks["thoth"].problems
    )
    assert not checks["uv"].problems, "uv's stack breaks its requirements:\n" + "\n".join(
        p.text for p in checks["uv"].problems
    )
    # The lock names the extras each package is needed with, no more and no fewer.
    assert {
        name: frozenset(canonicalize_name(e) for e in req.extras) for name, req in thoth_locked.items()
    } == {name: checks["thoth"].extras.get(name, frozenset()) for name in thoth_locked}
    unexplained = [d for d in differences if d.explanation is None]
    assert not unexplained, "thoth and uv differ without a reason:\n" + "\n".join(
        f"{d.package}: thoth {d.thoth}, uv {d.uv}" for d in unexplained
    )
    for difference in differences:
        warnings.warn(
            ExplainedDifference(f"{requirement_set.stem}: {difference.package}: {difference.explanation}"),
            stacklevel=1,
        )
