"""`thoth advise` with security advisories and library usage, end to end against the test index."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.cli.conftest import LINUX_312, Thoth
from tests.indexserver import IndexServer, IndexServerFactory
from tests.knowledge.osv_server import DATA, OsvServer, load_records
from thoth_cli.cli.main import cli
from thoth_cli.pipeline import registry
from thoth_cli.pipeline.builtin.tensorflow_30990 import ISSUE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TARGET = "CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64"
NOW = ("--exclude-newer", "2024-06-01T12:00:00Z")
"""Pins the moment release ages are measured from (the universe's releases are all older)."""

UNIVERSE = "urllib3 1.26.18 2.0.5\n"
"""urllib3 2.0.5 has two known vulnerabilities; 1.26.18, on the older branch, is fixed for both."""

URLLIB3_RECORDS = ("GHSA-g4mx-q9vg-27p4", "PYSEC-2023-192", "PYSEC-2023-212")


@pytest.fixture(autouse=True)
def without_bundled_knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the pipeline's mechanics: the bundled prescriptions stay out (they have
    their own tests under tests/knowledge)."""
    monkeypatch.setattr(registry, "bundled_units", tuple)


@pytest.fixture
def server(index_server: IndexServerFactory) -> IndexServer:
    return index_server(UNIVERSE)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A project folder at a repository's root (so no .thoth.yaml above it is ever found)."""
    folder = tmp_path / "app"
    (folder / ".git").mkdir(parents=True)
    return folder


@pytest.fixture
def advisories(tmp_path: Path) -> Path:
    """A folder of the OSV records of urllib3, as OSV's PyPI export holds them."""
    folder = tmp_path / "osv"
    folder.mkdir()
    for record_id in URLLIB3_RECORDS:
        shutil.copy(DATA / f"{record_id}.json", folder)
    return folder


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    with OsvServer(records=load_records(*URLLIB3_RECORDS)) as server:
        yield server


def pyproject(folder: Path, *dependencies: str) -> Path:
    manifest = folder / "pyproject.toml"
    listed = ", ".join(f'"{d}"' for d in dependencies)
    manifest.write_text(
        f'[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.10"\ndependencies = [{listed}]\n',
        encoding="utf-8",
    )
    return manifest


def lock(folder: Path) -> dict[str, Any]:
    return tomllib.loads((folder / "pylock.toml").read_text(encoding="utf-8"))


def pins(folder: Path) -> dict[str, str]:
    return {package["name"]: package["version"] for package in lock(folder)["packages"]}


def closed_port() -> str:
    """The URL of a port nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def advise(thoth: Thoth, manifest: Path, *arguments: str, index: IndexServer, **options: Any) -> Result:
    return thoth.advise("--manifest", str(manifest), *NOW, *arguments, index=index, **options)


def known(record_id: str, aliases: str, fixed: str) -> str:
    """How the units word one of urllib3's advisories (the records have no summary: the headline is the
    first sentence of their details)."""
    return (
        f"known vulnerability {record_id} ({aliases}): urllib3 is a user-friendly HTTP client library for "
        f"Python; fixed in {fixed}"
    )


PYSEC_2023_192 = known("PYSEC-2023-192", "CVE-2023-43804, GHSA-v845-jxx5-vc9f", "1.26.17, 2.0.6")
PYSEC_2023_212 = known("PYSEC-2023-212", "GHSA-g4mx-q9vg-27p4, CVE-2023-45803", "1.26.18, 2.0.7")
LINK_192 = "https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f"
LINK_212 = "https://github.com/urllib3/urllib3/security/advisories/GHSA-g4mx-q9vg-27p4"
REMOVED = (
    "chosen over 2.0.5, removed by unit vulnerabilities: known vulnerable: PYSEC-2023-192 (CVE-2023-43804, "
    "GHSA-v845-jxx5-vc9f), fixed in 1.26.17, 2.0.6; PYSEC-2023-212 (GHSA-g4mx-q9vg-27p4, CVE-2023-45803), "
    "fixed in 1.26.18, 2.0.7"
)
"""Why -t security locks urllib3 1.26.18 rather than the newer 2.0.5."""


def listed(unit: str) -> list[dict[str, str]]:
    """The lock's [tool.thoth] justifications of a stack pinning urllib3 2.0.5, from `unit`."""
    return [
        {
            "type": "WARNING",
            "message": f"urllib3 2.0.5 has a {text}",
            "link": link,
            "unit": unit,
            "package": "urllib3",
            "version": "2.0.5",
        }
        for text, link in ((PYSEC_2023_192, LINK_192), (PYSEC_2023_212, LINK_212))
    ]


# Where advisories come from decides the choice -----------------------------------------------------


def test_security_avoids_the_vulnerable_release_and_explains_the_choice(
    app: Path, thoth: Thoth, server: IndexServer, advisories: Path
) -> None:
    manifest = pyproject(app, "urllib3>=1.26")
    report = app / "report.json"
    result = advise(
        thoth,
        manifest,
        "-t",
        "security",
        "--advisories",
        str(advisories),
        "--report",
        str(report),
        index=server,
    )
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"urllib3": "1.26.18"}
    explained = {"type": "INFO", "message": REMOVED, "package": "urllib3", "version": "1.26.18"}
    assert lock(app)["tool"]["thoth"]["justifications"] == [explained]
    (best,) = json.loads(report.read_text(encoding="utf-8"))["stacks"]
    assert best["justifications"] == [{**explained, "link": None, "unit": None}]
    # Nothing is wrong with the stack: no warning.
    assert "warning" not in result.stderr
    assert server.requests_to("*/simple/urllib3/*")


def test_latest_keeps_the_newest_and_lists_its_advisories(
    app: Path, thoth: Thoth, server: IndexServer, advisories: Path
) -> None:
    manifest = pyproject(app, "urllib3>=1.26")
    result = advise(thoth, manifest, "-t", "latest", "--advisories", str(advisories), index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"urllib3": "2.0.5"}
    assert result.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        f"warning: urllib3 2.0.5 has a {PYSEC_2023_192} [vulnerability-report]\n"
        f"warning: urllib3 2.0.5 has a {PYSEC_2023_212} [vulnerability-report]\n"
        "2 warnings (vulnerability-report 2)\n"
        f"wrote {app / 'pylock.toml'} (1 package, {TARGET})\n"
    )
    tool = lock(app)["tool"]["thoth"]
    assert tool["justifications"] == listed("vulnerability-report")
    assert tool["score"] == 0.0


def test_stable_prefers_a_fixed_release_and_penalises_a_vulnerable_one_it_must_keep(
    tmp_path: Path, thoth: Thoth, server: IndexServer, advisories: Path
) -> None:
    both = tmp_path / "both"
    (both / ".git").mkdir(parents=True)
    result = advise(
        thoth, pyproject(both, "urllib3>=1.26"), "-t", "stable", "--advisories", str(advisories), index=server
    )
    assert result.exit_code == 0, result.stderr
    assert pins(both) == {"urllib3": "1.26.18"}
    assert "warning" not in result.stderr

    only = tmp_path / "only"
    (only / ".git").mkdir(parents=True)
    result = advise(
        thoth, pyproject(only, "urllib3>=2"), "-t", "stable", "--advisories", str(advisories), index=server
    )
    assert result.exit_code == 0, result.stderr
    assert pins(only) == {"urllib3": "2.0.5"}
    written = lock(only)
    # -0.5 per advisory from the step (clamped at -1), -0.2 per vulnerability from the stride.
    assert (written["packages"][0]["tool"]["thoth"]["score"], written["tool"]["thoth"]["score"]) == (
        -1.0,
        -1.4,
    )
    assert written["tool"]["thoth"]["justifications"] == listed("vulnerable-stack")
    assert [j["message"] for j in written["packages"][0]["tool"]["thoth"]["justifications"]] == [
        PYSEC_2023_192,
        PYSEC_2023_212,
    ]
    assert f"warning: urllib3 2.0.5: {PYSEC_2023_192} [vulnerabilities]\n" in result.stderr


def test_no_advisories_checks_nothing(app: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = pyproject(app, "urllib3>=1.26")
    result = advise(thoth, manifest, "-t", "security", "--no-advisories", index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"urllib3": "2.0.5"}
    assert "justifications" not in lock(app)["tool"]["thoth"]


def test_no_advisories_with_a_source_is_a_usage_error(
    app: Path, thoth: Thoth, server: IndexServer, advisories: Path
) -> None:
    manifest = pyproject(app, "urllib3")
    result = advise(thoth, manifest, "--no-advisories", "--advisories", str(advisories), index=server)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --no-advisories checks no advisories, and --advisories and --osv-url say where to read them\n"
        "  fix: pass --no-advisories alone, or leave it out\n"
    )
    assert server.requests == []


def test_a_missing_advisory_folder_exits_4_before_resolving(
    app: Path, thoth: Thoth, server: IndexServer
) -> None:
    manifest = pyproject(app, "urllib3")
    result = advise(thoth, manifest, "--advisories", str(app / "advisory-database"), index=server)
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {app / 'advisory-database'}: advisory folder not found\n"
        "  fix: pass a clone of https://github.com/pypa/advisory-database or a folder of OSV records "
        "(e.g. OSV's PyPI export, all.zip, unzipped)\n"
    )
    assert server.requests == []
    assert not (app / "pylock.toml").exists()


# The OSV API -------------------------------------------------------------------------------------


def test_the_osv_api_is_asked_once_per_package_and_its_answers_cached(
    app: Path, thoth: Thoth, server: IndexServer, osv: OsvServer
) -> None:
    manifest = pyproject(app, "urllib3>=1.26")
    result = advise(thoth, manifest, "-t", "security", "--osv-url", osv.url, index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"urllib3": "1.26.18"}
    assert lock(app)["tool"]["thoth"]["justifications"][0]["message"] == REMOVED
    # Two releases judged, one question: every record of urllib3, matched here.
    assert osv.queried() == [("urllib3", None, None)]
    assert sorted(request.path for request in osv.requests if request.method == "GET") == [
        f"/v1/vulns/{record_id}" for record_id in URLLIB3_RECORDS
    ]

    osv.requests.clear()
    again = advise(thoth, manifest, "-t", "security", "--osv-url", osv.url, "--dry-run", index=server)
    assert again.exit_code == 0, again.stderr
    assert osv.requests == []

    offline = advise(thoth, manifest, "-t", "security", "--osv-url", osv.url, "--offline", "-U", index=server)
    assert offline.exit_code == 0, offline.stderr
    assert pins(app) == {"urllib3": "1.26.18"}
    assert osv.requests == []


def test_thoth_osv_url_names_the_service_asked_by_default(
    app: Path, thoth: Thoth, server: IndexServer, osv: OsvServer
) -> None:
    manifest = pyproject(app, "urllib3>=1.26")
    result = advise(
        thoth, manifest, "-t", "latest", index=server, advisories=True, env={"THOTH_OSV_URL": osv.url}
    )
    assert result.exit_code == 0, result.stderr
    assert f"warning: urllib3 2.0.5 has a {PYSEC_2023_192} [vulnerability-report]\n" in result.stderr
    assert osv.queried() == [("urllib3", None, None)]


def test_offline_with_no_advisories_cached(
    app: Path, thoth: Thoth, server: IndexServer, osv: OsvServer
) -> None:
    manifest = pyproject(app, "urllib3>=1.26")
    # The index pages are cached; the OSV API was never asked.
    assert advise(thoth, manifest, "--no-advisories", "--dry-run", index=server).exit_code == 0

    latest = advise(thoth, manifest, "-t", "latest", "--offline", "--osv-url", osv.url, index=server)
    assert latest.exit_code == 0, latest.stderr
    assert pins(app) == {"urllib3": "2.0.5"}
    assert latest.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        "warning: advisories unavailable: --offline: no cached copy of the OSV API's advisories for urllib3; "
        "vulnerabilities are not checked\n"
        f"wrote {app / 'pylock.toml'} (1 package, {TARGET})\n"
    )

    lock_before = (app / "pylock.toml").read_bytes()
    security = advise(thoth, manifest, "-t", "security", "--offline", "--osv-url", osv.url, index=server)
    assert security.exit_code == 3
    assert security.stderr == (
        f"resolving {manifest} for {TARGET}\n"
        "error: the security recommendation type needs security advisories: --offline: no cached copy of the "
        "OSV API's advisories for urllib3\n"
        "  fix: check the network connection and --osv-url (with --offline: run once without it to fill the "
        "cache), read a local copy of the advisory database with --advisories DIR (a clone of "
        "https://github.com/pypa/advisory-database), or pass --no-advisories to resolve without advisories\n"
    )
    assert (app / "pylock.toml").read_bytes() == lock_before
    assert osv.requests == []


def test_an_unreachable_osv_api_fails_a_security_run(app: Path, thoth: Thoth, server: IndexServer) -> None:
    manifest = pyproject(app, "urllib3>=1.26")
    url = closed_port()
    result = advise(thoth, manifest, "-t", "security", "--osv-url", url, index=server)
    assert result.exit_code == 3
    first, *_ = result.stderr.splitlines()[1:]
    assert first.startswith(
        "error: the security recommendation type needs security advisories: could not get security "
        f"advisories from the OSV API ({url}/v1/querybatch): cannot connect"
    )
    assert first.endswith("after 4 attempts")
    assert "  fix: check the network connection and --osv-url" in result.stderr
    assert not (app / "pylock.toml").exists()


def test_an_unreachable_osv_api_warns_once_and_a_latest_run_goes_on(
    app: Path, thoth: Thoth, index_server: IndexServerFactory
) -> None:
    server = index_server(UNIVERSE + "idna 3.6\n")
    manifest = pyproject(app, "urllib3>=1.26", "idna")
    url = closed_port()
    result = advise(thoth, manifest, "-t", "latest", "--osv-url", url, index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"idna": "3.6", "urllib3": "2.0.5"}
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "warning: advisories unavailable: could not get security advisories from the OSV API "
        f"({url}/v1/querybatch)"
    )
    assert warnings[0].endswith("after 4 attempts; vulnerabilities are not checked")


# .thoth.yaml --------------------------------------------------------------------------------------


def test_thoth_yaml_names_the_advisory_folders(
    app: Path, thoth: Thoth, server: IndexServer, advisories: Path
) -> None:
    shutil.copytree(advisories, app / "advisory-database")
    (app / ".thoth.yaml").write_text("advisories:\n  - advisory-database\n", encoding="utf-8")
    manifest = pyproject(app, "urllib3>=1.26")
    result = advise(thoth, manifest, "-t", "security", index=server, advisories=True)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"urllib3": "1.26.18"}
    assert lock(app)["tool"]["thoth"]["justifications"][0]["message"] == REMOVED


def test_the_command_line_wins_over_thoth_yaml(app: Path, thoth: Thoth, server: IndexServer) -> None:
    (app / ".thoth.yaml").write_text("advisories: [nowhere]\n", encoding="utf-8")
    manifest = pyproject(app, "urllib3>=1.26")
    result = advise(thoth, manifest, "-t", "security", "--no-advisories", index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"urllib3": "2.0.5"}


def test_a_missing_folder_of_thoth_yaml_names_its_line(app: Path, thoth: Thoth, server: IndexServer) -> None:
    config = app / ".thoth.yaml"
    config.write_text("overlays_dir: overlays\nadvisories:\n  - advisory-database\n", encoding="utf-8")
    manifest = pyproject(app, "urllib3")
    result = advise(thoth, manifest, index=server, advisories=True)
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {config}:3 [advisories[0]]: advisory folder not found: 'advisory-database'\n"
        "  fix: clone https://github.com/pypa/advisory-database there, or correct the folder "
        f"(a relative one is taken from {app})\n"
    )
    assert server.requests == []


# Library usage: tensorflow#30990 -----------------------------------------------------------------

TRAINING = """\
from tensorflow.keras.callbacks import ModelCheckpoint
from tensorflow.keras.layers import LSTM

model.add(LSTM(32))
model.fit(x, y, callbacks=[ModelCheckpoint("best.h5")])
"""


@pytest.fixture
def tensorflow(index_server: IndexServerFactory) -> IndexServer:
    return index_server("tensorflow 1.15.0 2.0.0\n")


def test_code_using_lstm_with_model_checkpoint_gets_no_tensorflow_2_0_0(
    app: Path, thoth: Thoth, tensorflow: IndexServer
) -> None:
    (app / "train.py").write_text(TRAINING, encoding="utf-8")
    (app / "broken.py").write_text("def (:\n", encoding="utf-8")
    manifest = pyproject(app, "tensorflow>=1.15,<2.1")
    result = advise(thoth, manifest, index=tensorflow)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"tensorflow": "1.15.0"}
    (explained,) = lock(app)["tool"]["thoth"]["justifications"]
    assert explained == {
        "type": "INFO",
        "message": "chosen over 2.0.0, removed by unit tensorflow-30990[tensorflow]: tensorflow 2.0.0 breaks "
        "LSTM layers "
        "saved by the ModelCheckpoint callback, and this project uses "
        f"tensorflow.keras.callbacks.ModelCheckpoint and tensorflow.keras.layers.LSTM ({ISSUE})",
        "package": "tensorflow",
        "version": "1.15.0",
    }
    # A file that does not parse is skipped, never fatal.
    assert "broken.py" not in result.stderr


def test_a_file_the_scan_skips_is_a_note_with_verbose(
    app: Path, thoth: Thoth, tensorflow: IndexServer
) -> None:
    (app / "train.py").write_text(TRAINING, encoding="utf-8")
    (app / "broken.py").write_text("def (:\n", encoding="utf-8")
    manifest = pyproject(app, "tensorflow>=1.15,<2.1")
    command = ["-v", "--color", "never", "advise", "--cache-dir", str(thoth.cache_dir), "--no-advisories"]
    command += ["--index-url", tensorflow.url(), "--manifest", str(manifest), *LINUX_312, *NOW]
    result = CliRunner().invoke(cli, command, env={"THOTH_OSV_URL": None, "THOTH_CACHE_DIR": None})
    assert result.exit_code == 0, result.stderr
    assert f"static analysis: skipped {app / 'broken.py'}:1: invalid syntax" in result.stderr
    assert pins(app) == {"tensorflow": "1.15.0"}


def test_no_static_analysis_leaves_the_usage_gated_sieve_out(
    app: Path, thoth: Thoth, tensorflow: IndexServer
) -> None:
    (app / "train.py").write_text(TRAINING, encoding="utf-8")
    manifest = pyproject(app, "tensorflow>=1.15,<2.1")
    result = advise(thoth, manifest, "--no-static-analysis", index=tensorflow)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"tensorflow": "2.0.0"}
    assert "justifications" not in lock(app)["tool"]["thoth"]


def test_code_using_one_of_the_two_symbols_keeps_tensorflow_2_0_0(
    app: Path, thoth: Thoth, tensorflow: IndexServer
) -> None:
    (app / "train.py").write_text("from tensorflow.keras.layers import LSTM\n\nLSTM(32)\n", encoding="utf-8")
    manifest = pyproject(app, "tensorflow>=1.15,<2.1")
    result = advise(thoth, manifest, index=tensorflow)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"tensorflow": "2.0.0"}


def test_sources_are_scanned_only_when_a_unit_asks(app: Path, thoth: Thoth, server: IndexServer) -> None:
    # No unit asks about usage for a project without TensorFlow: the broken file is never read.
    (app / "broken.py").write_text("def (:\n", encoding="utf-8")
    manifest = pyproject(app, "urllib3")
    command = ["-v", "--color", "never", "advise", "--cache-dir", str(thoth.cache_dir), "--no-advisories"]
    command += ["--index-url", server.url(), "--manifest", str(manifest), *LINUX_312, *NOW]
    result = CliRunner().invoke(cli, command, env={"THOTH_OSV_URL": None, "THOTH_CACHE_DIR": None})
    assert result.exit_code == 0, result.stderr
    assert "static analysis" not in result.stderr


def test_the_packages_the_resolver_meets_are_asked_about_in_one_query(
    app: Path, thoth: Thoth, index_server: IndexServerFactory, osv: OsvServer
) -> None:
    server = index_server("requests 2.31.0: urllib3>=1.26, idna\nidna 3.6\n" + UNIVERSE)
    manifest = pyproject(app, "requests")
    result = advise(thoth, manifest, "-t", "latest", "--osv-url", osv.url, index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"idna": "3.6", "requests": "2.31.0", "urllib3": "2.0.5"}
    (batch,) = osv.requests_to("/v1/querybatch")
    assert sorted(query["package"]["name"] for query in batch.body["queries"]) == [
        "idna",
        "requests",
        "urllib3",
    ]
    assert f"warning: urllib3 2.0.5 has a {PYSEC_2023_212} [vulnerability-report]\n" in result.stderr


def test_security_keeps_a_vulnerable_release_when_nothing_else_is_allowed_and_says_so_loudly(
    app: Path, thoth: Thoth, server: IndexServer, advisories: Path
) -> None:
    manifest = pyproject(app, "urllib3>=2")
    result = advise(thoth, manifest, "-t", "security", "--advisories", str(advisories), index=server)
    assert result.exit_code == 0, result.stderr
    assert pins(app) == {"urllib3": "2.0.5"}
    # Grouped by unit, then counted.
    assert result.stderr.splitlines()[1:-1] == [
        f"warning: urllib3 2.0.5: kept although {REMOVED.partition('unit vulnerabilities: ')[2]} "
        "(no release without this issue is allowed) [vulnerabilities]",
        f"warning: urllib3 2.0.5 has a {PYSEC_2023_192} [vulnerable-stack]",
        f"warning: urllib3 2.0.5 has a {PYSEC_2023_212} [vulnerable-stack]",
        "3 warnings (vulnerabilities 1, vulnerable-stack 2)",
    ]
    assert lock(app)["tool"]["thoth"]["score"] == -0.4
