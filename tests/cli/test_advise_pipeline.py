"""`thoth advise` with its pipeline, end to end: -t, --count, --limit, --pipeline, --block-unit, --report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.conftest import LINUX_312, Thoth
from tests.indexserver import IndexServer, IndexServerFactory, Universe
from tests.pipeline.sample_units import LINK, install_distribution
from thoth_cli.cli.main import cli
from thoth_cli.pipeline import registry
from thoth_cli.pipeline.builtin import ReleaseAgeStep
from thoth_cli.pipeline.registry import available_units

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TARGET = "CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64"
NOW = ("--exclude-newer", "2024-06-01T12:00:00Z")
"""Pins the moment release ages are measured from."""

UNIVERSE = """\
a 1.0 2.0 3.0: b
b 1.0 2.0
c 1.0 1.1 1.2
only 1.0a1 1.0b2
"""

SAMPLES = "tests.pipeline.sample_units"


@pytest.fixture(autouse=True)
def without_bundled_knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the pipeline's mechanics: the bundled prescriptions stay out (they have
    their own tests under tests/knowledge)."""
    monkeypatch.setattr(registry, "bundled_units", tuple)


def types_universe() -> Universe:
    """`fresh` 1.1 two days old; `built` 2.0 sdist-only; `lts` 1.9.1 a backport released yesterday."""
    universe = Universe.parse("built 1.0\nlts 2.0\nfresh 1.0")
    universe.add("fresh", "1.1", upload_time="2024-05-30T00:00:00Z")
    universe.add("built", "2.0", wheels=[])
    universe.add("lts", "1.9.1", upload_time="2024-05-31T00:00:00Z")
    return universe


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    return index_server(UNIVERSE)


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution on `sys.path` registering the test units by their names."""
    site = tmp_path / "site"
    names = {
        "oldest-first": "OldestFirstStep",
        "skip": "SkipStep",
        "explodes": "ExplodingStep",
        "score": "ScoreStep",
        "note": "NoteBoot",
        "advice": "AdviceWrap",
        "stop": "StopStride",
    }
    install_distribution(site, "thoth_test_units", {name: f"{SAMPLES}:{cls}" for name, cls in names.items()})
    monkeypatch.syspath_prepend(str(site))
    return site


def requirements(folder: Path, *lines: str) -> Path:
    manifest = folder / "requirements.in"
    manifest.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return manifest


def pyproject(folder: Path, *dependencies: str) -> Path:
    manifest = folder / "pyproject.toml"
    listed = ", ".join(f'"{d}"' for d in dependencies)
    manifest.write_text(
        f'[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.10"\ndependencies = [{listed}]\n',
        encoding="utf-8",
    )
    return manifest


def pipeline_file(folder: Path, text: str) -> Path:
    path = folder / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def pins(lock: Path) -> dict[str, str]:
    """name -> version of a requirements.txt lock."""
    found = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith(("#", " ")):
            name, version = line.rstrip(" \\").split("==")
            found[name] = version
    return found


def verbose(thoth: Thoth, *arguments: str, index: IndexServer) -> Result:
    """`thoth -v advise ...`, as `Thoth.advise` runs it."""
    command = [
        "-v",
        "--color",
        "never",
        "advise",
        "--cache-dir",
        str(thoth.cache_dir),
        "--index-url",
        index.url(),
        # As Thoth.advise: advisories would come from the real OSV API, which tests never reach.
        "--no-advisories",
    ]
    environment: dict[str, str | None] = dict.fromkeys(
        ("THOTH_INDEX_URL", "THOTH_EXTRA_INDEX_URL", "THOTH_CACHE_DIR", "NO_COLOR", "FORCE_COLOR")
    )
    result = CliRunner().invoke(cli, [*command, *LINUX_312, *arguments], env=environment)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


# -t: each recommendation type a different choice -----------------------------------------------


@pytest.mark.parametrize(
    ("recommendation_type", "chosen", "score"),
    [
        ("latest", {"built": "2.0", "fresh": "1.1", "lts": "2.0"}, "+0.00"),
        ("stable", {"built": "1.0", "fresh": "1.0", "lts": "2.0"}, "-0.20"),
        ("testing", {"built": "2.0", "fresh": "1.1", "lts": "1.9.1"}, "+0.50"),
        ("performance", {"built": "1.0", "fresh": "1.1", "lts": "2.0"}, "-0.10"),
    ],
)
def test_each_recommendation_type_locks_a_different_stack(
    tmp_path: Path,
    thoth: Thoth,
    index_server: IndexServerFactory,
    recommendation_type: str,
    chosen: dict[str, str],
    score: str,
) -> None:
    server = index_server(types_universe())
    manifest = requirements(tmp_path, "fresh", "built", "lts")
    result = verbose(thoth, "--manifest", str(manifest), "-t", recommendation_type, *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(tmp_path / "requirements.txt") == chosen
    # One stack: its summary shows with --verbose.
    assert f"{recommendation_type} stack, score {score} (1 resolve)\n" in result.stderr


# --count, --limit ------------------------------------------------------------------------------


def test_count_3_reports_three_stacks_best_first_and_locks_the_best(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "a", "c")
    result = thoth.advise("--manifest", str(manifest), "--count", "3", index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(tmp_path / "requirements.txt") == {"a": "3.0", "b": "2.0", "c": "1.2"}
    assert result.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        "latest stack, score +0.00 (3 resolves)\n"
        "stack 2, score -0.10: a 3.0 -> 2.0\n"
        "stack 3, score -0.10: c 1.2 -> 1.1\n"
        f"wrote {tmp_path / 'requirements.txt'} (3 packages, {TARGET})\n"
    )


def test_the_limit_reached_before_count_stacks_is_a_warning(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "a", "c")
    result = thoth.advise("--manifest", str(manifest), "--count", "3", "--limit", "2", index=server)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        "latest stack, score +0.00 (2 resolves)\n"
        "stack 2, score -0.10: a 3.0 -> 2.0\n"
        "warning: found 2 of 3 stacks within --limit 2 resolves\n"
        f"wrote {tmp_path / 'requirements.txt'} (3 packages, {TARGET})\n"
    )


def test_the_report_is_the_same_on_every_run(tmp_path: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = requirements(tmp_path, "a", "c")
    reports = []
    for name in ("one.json", "two.json"):
        result = thoth.advise(
            "--manifest",
            str(manifest),
            "--count",
            "3",
            "--dry-run",
            "--report",
            str(tmp_path / name),
            index=server,
        )
        assert result.exit_code == 0, result.stderr
        reports.append((tmp_path / name).read_bytes())
    assert reports[0] == reports[1]
    stacks = json.loads(reports[0])["stacks"]
    assert [{p["name"]: p["version"] for p in stack["packages"]} for stack in stacks] == [
        {"a": "3.0", "b": "2.0", "c": "1.2"},
        {"a": "2.0", "b": "2.0", "c": "1.2"},
        {"a": "3.0", "b": "2.0", "c": "1.1"},
    ]


# Failures: CannotRemovePackage, unit errors ----------------------------------------------------


def test_a_unit_removing_every_release_exits_1_and_keeps_the_lock(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "a")
    assert thoth.advise("--manifest", str(manifest), index=server).exit_code == 0
    before = (tmp_path / "requirements.txt").read_bytes()
    manifest.write_text("a\nonly\n", encoding="utf-8")

    result = thoth.advise("--manifest", str(manifest), "--prerelease", "disallow", index=server)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        "error: unit 'prerelease' removes every release of only that the project allows: "
        "1.0b2 is a pre-release (--prerelease disallow)\n"
        "  fix: pass --prerelease allow, or --prerelease if-necessary-or-explicit to accept the pre-releases "
        "your requirements name\n"
    )
    assert (tmp_path / "requirements.txt").read_bytes() == before


def test_a_unit_removing_every_release_writes_no_lock(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "only")
    result = thoth.advise("--manifest", str(manifest), "--prerelease", "explicit", index=server)
    assert result.exit_code == 1
    assert "error: unit 'prerelease' removes every release of only that the project allows" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["requirements.in"]


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ("explodes", "unit 'explodes' on package 'a': ValueError: cannot judge a 3.0"),
        (
            "{name: score, configuration: {score: .nan}}",
            "unit 'score' on package 'a': returned a score that is not a number (NaN)",
        ),
    ],
    ids=["raises", "nan"],
)
def test_a_unit_error_exits_5_naming_unit_and_package_and_writes_no_lock(
    tmp_path: Path, thoth: Thoth, server: IndexServer, installed: Path, unit: str, message: str
) -> None:
    manifest = requirements(tmp_path, "a")
    pipeline = pipeline_file(tmp_path, f"steps:\n  - {unit}\n")
    result = thoth.advise("--manifest", str(manifest), "--pipeline", str(pipeline), index=server)
    assert result.exit_code == 5
    assert result.stderr == f"resolving {manifest} for {TARGET}\nerror: {message}\n"
    assert not (tmp_path / "requirements.txt").exists()


# --pipeline, entry points, -v ------------------------------------------------------------------


def test_verbose_shows_the_units_that_ran(tmp_path: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = requirements(tmp_path, "a")
    result = verbose(thoth, "--manifest", str(manifest), "-t", "stable", "--dry-run", index=server)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        "steps: prerelease, vulnerabilities, yanked, binary-wheel, release-age, newest-first\n"
        "strides: vulnerable-stack\n"
        "stable stack, score +0.00 (1 resolve)\n"
        "dry run: 2 packages resolved, nothing written\n"
    )


def test_a_pipeline_file_bypasses_the_builder(
    tmp_path: Path, thoth: Thoth, server: IndexServer, installed: Path
) -> None:
    manifest = requirements(tmp_path, "a")
    pipeline = pipeline_file(tmp_path, "steps:\n  - oldest-first\n")
    result = verbose(thoth, "--manifest", str(manifest), "--pipeline", str(pipeline), index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(tmp_path / "requirements.txt") == {"a": "1.0", "b": "1.0"}
    lines = result.stderr.splitlines()
    assert [
        line for line in lines if line.split(":")[0] in ("boots", "sieves", "steps", "strides", "wraps")
    ] == ["steps: oldest-first"]


INSTALLED_STEP = '''\
"""A third party's unit: joins every pipeline, avoids releases with a 3 in their version."""

from thoth_cli.pipeline.units import Scored, Step


class NoThreesStep(Step):
    name = "no-threes"
    description = "Avoids releases with a 3 in their version."
    CONFIGURATION_DEFAULT = {}

    @classmethod
    def should_include(cls, context):
        yield {}

    def run(self, candidate):
        return Scored(-1.0) if "3" in str(candidate.version) else None
'''


def test_an_installed_unit_joins_the_pipeline(
    tmp_path: Path, thoth: Thoth, server: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    install_distribution(
        site, "thoth_no_threes", {"no-threes": "thoth_no_threes:NoThreesStep"}, source=INSTALLED_STEP
    )
    monkeypatch.syspath_prepend(str(site))
    # Undone at the end of the test: the module imported through the entry point goes too.
    monkeypatch.delitem(sys.modules, "thoth_no_threes", raising=False)
    manifest = requirements(tmp_path, "a")
    result = verbose(thoth, "--manifest", str(manifest), index=server)
    assert result.exit_code == 0, result.stderr
    assert "steps: prerelease, yanked, newest-first, no-threes\n" in result.stderr
    assert pins(tmp_path / "requirements.txt") == {"a": "2.0", "b": "2.0"}


def test_a_bad_pipeline_file_exits_4_before_resolving(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "a")
    pipeline = pipeline_file(tmp_path, "steps:\n  - relase-age\n")
    result = thoth.advise("--manifest", str(manifest), "--pipeline", str(pipeline), index=server)
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {pipeline} [steps[0]]: no unit is named 'relase-age'\n"
        "  fix: did you mean 'release-age'? `thoth units` lists the units\n"
    )
    assert not (tmp_path / "requirements.txt").exists()


def test_a_skipped_package_is_left_out_and_the_lock_says_to_install_with_no_deps(
    tmp_path: Path, thoth: Thoth, server: IndexServer, installed: Path
) -> None:
    manifest = pyproject(tmp_path, "a")
    pipeline = pipeline_file(tmp_path, "steps:\n  - {name: skip, configuration: {package_name: b}}\n")
    result = thoth.advise("--manifest", str(manifest), "--pipeline", str(pipeline), index=server)
    assert result.exit_code == 0, result.stderr
    assert "warning: a unit left out dependencies of a: install the lock with --no-deps\n" in result.stderr
    lock = tomllib.loads((tmp_path / "pylock.toml").read_text(encoding="utf-8"))
    assert [package["name"] for package in lock["packages"]] == ["a"]
    assert lock["tool"]["thoth"]["skipped-dependencies"] == ["a"]


def test_an_eager_stop_keeps_the_stacks_found_and_says_so(
    tmp_path: Path, thoth: Thoth, server: IndexServer, installed: Path
) -> None:
    manifest = requirements(tmp_path, "a", "c")
    pipeline = pipeline_file(tmp_path, "strides:\n  - {name: stop, configuration: {after: 1}}\n")
    result = thoth.advise(
        "--manifest", str(manifest), "--pipeline", str(pipeline), "--count", "3", index=server
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        "warning: the search stopped early: enough after 1 stacks\n"
        f"wrote {tmp_path / 'requirements.txt'} (3 packages, {TARGET})\n"
    )


# --block-unit ----------------------------------------------------------------------------------


def test_block_unit_leaves_a_unit_out(tmp_path: Path, thoth: Thoth, index_server: IndexServerFactory) -> None:
    server = index_server(types_universe())
    manifest = requirements(tmp_path, "fresh")
    stable = ("--manifest", str(manifest), "-t", "stable", *NOW)
    assert thoth.advise(*stable, index=server).exit_code == 0
    assert pins(tmp_path / "requirements.txt") == {"fresh": "1.0"}
    result = thoth.advise(*stable, "--upgrade", "--block-unit", "release-age", index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(tmp_path / "requirements.txt") == {"fresh": "1.1"}


def test_block_unit_refuses_a_name_no_unit_has(tmp_path: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = requirements(tmp_path, "a")
    result = thoth.advise("--manifest", str(manifest), "--block-unit", "release-ages", index=server)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "error: --block-unit: no unit is named 'release-ages'\n"
        f"  fix: name one of: {', '.join(sorted(available_units()))} (`thoth units` describes them)\n"
    )
    assert not (tmp_path / "requirements.txt").exists()


# What the lock and the report carry ------------------------------------------------------------


def young(package: str, version: str) -> dict[str, object]:
    return {
        "type": "WARNING",
        "message": "released 2 days ago (younger than 7 days)",
        "link": ReleaseAgeStep.link,
        "package": package,
        "version": version,
        "unit": "release-age",
    }


def test_the_report_holds_every_stack_with_its_justifications(
    tmp_path: Path, thoth: Thoth, index_server: IndexServerFactory
) -> None:
    universe = Universe()
    universe.add("fresh", "1.1", upload_time="2024-05-30T00:00:00Z")
    server = index_server(universe)
    manifest = requirements(tmp_path, "fresh")
    report = tmp_path / "report.json"
    result = thoth.advise(
        "--manifest", str(manifest), "-t", "stable", *NOW, "--report", str(report), index=server
    )
    assert result.exit_code == 0, result.stderr
    assert f"wrote the report to {report}\n" in result.stderr
    assert "warning: fresh 1.1: released 2 days ago (younger than 7 days) [release-age]\n" in result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["schema"] == "thoth.report/1"
    assert data["recommendation_type"] == "stable"
    assert data["target"]["platform"] == "manylinux_2_28_x86_64"
    assert (data["resolves"], data["limit_reached"], data["stopped"]) == (1, False, None)
    assert [unit["name"] for unit in data["pipeline"]["steps"]] == [
        "prerelease",
        "vulnerabilities",
        "yanked",
        "binary-wheel",
        "release-age",
        "newest-first",
    ]
    assert data["stacks"] == [
        {
            "score": -1.0,
            "justifications": [],
            "packages": [
                {
                    "name": "fresh",
                    "version": "1.1",
                    "index": server.url(),
                    "direct": True,
                    "groups": ["default"],
                    "score": -1.0,
                    "justifications": [young("fresh", "1.1")],
                }
            ],
            "skipped_dependencies": [],
            "skipped": [],
            "advice": {"environment": {}, "manifest_changes": []},
        }
    ]


def test_the_lock_carries_the_stacks_score_and_justifications(
    tmp_path: Path, thoth: Thoth, index_server: IndexServerFactory, installed: Path
) -> None:
    universe = Universe()
    universe.add("fresh", "1.1", upload_time="2024-05-30T00:00:00Z")
    server = index_server(universe)
    manifest = pyproject(tmp_path, "fresh")
    pipeline = pipeline_file(tmp_path, "boots: [note]\nsteps: [release-age]\nwraps: [advice]\n")
    result = thoth.advise("--manifest", str(manifest), "--pipeline", str(pipeline), *NOW, index=server)
    assert result.exit_code == 0, result.stderr
    lock = tomllib.loads((tmp_path / "pylock.toml").read_text(encoding="utf-8"))
    tool = lock["tool"]["thoth"]
    assert tool["score"] == -1.0
    assert tool["justifications"] == [
        {"type": "INFO", "message": "the request was read", "link": LINK, "unit": "note"},
        {"type": "INFO", "message": "set OMP_NUM_THREADS", "link": LINK, "unit": "advice"},
    ]
    (package,) = lock["packages"]
    assert package["tool"]["thoth"]["score"] == -1.0
    assert package["tool"]["thoth"]["justifications"] == [
        {k: v for k, v in young("fresh", "1.1").items() if k not in ("package", "version")}
    ]


def test_a_lock_says_which_type_made_it_and_how_to_make_it_again(
    tmp_path: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = requirements(tmp_path, "a")
    assert thoth.advise("--manifest", str(manifest), "-t", "stable", index=server).exit_code == 0
    header = (tmp_path / "requirements.txt").read_text(encoding="utf-8").splitlines()[4]
    assert header.endswith(" -t stable")
    app = tmp_path / "app"
    app.mkdir()
    assert thoth.advise("--manifest", str(pyproject(app, "a")), "-t", "stable", index=server).exit_code == 0
    lock = tomllib.loads((app / "pylock.toml").read_text(encoding="utf-8"))
    assert lock["tool"]["thoth"]["recommendation-type"] == "stable"
    # Read back as the existing lock: a second run keeps its pins.
    assert (
        thoth.advise("--manifest", str(app / "pyproject.toml"), "-t", "stable", index=server).exit_code == 0
    )


def test_a_latest_lock_says_nothing_of_its_type(tmp_path: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = requirements(tmp_path, "a")
    assert thoth.advise("--manifest", str(manifest), index=server).exit_code == 0
    assert " -t " not in (tmp_path / "requirements.txt").read_text(encoding="utf-8")
