"""A run's advisory source: folders, the OSV API by package, both or none, and what an outage does."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.knowledge.osv_server import OsvServer, load_records
from thoth_cli.errors import ExitCode
from thoth_cli.index.cache import Cache
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.knowledge.advisories import Advisory, NoAdvisories
from thoth_cli.knowledge.dedupe import CombinedAdvisories
from thoth_cli.knowledge.local import AdvisoryFolderError, LocalAdvisories
from thoth_cli.knowledge.osv_api import OsvApi
from thoth_cli.knowledge.sources import (
    AdvisoriesUnavailableError,
    AdvisoryOptions,
    GuardedAdvisories,
    open_advisories,
)

FAST = HttpSettings(timeout=5.0, retries=2, backoff=0.001, backoff_cap=0.001)
URLLIB3 = canonicalize_name("urllib3")
JINJA2 = canonicalize_name("jinja2")
DATABASE = Path(__file__).parent / "data" / "advisory-database"
UNAVAILABLE_FIX = (
    "  fix: check the network connection and --osv-url (with --offline: run once without it to fill the "
    "cache), read a local copy of the advisory database with --advisories DIR (a clone of "
    "https://github.com/pypa/advisory-database), or pass --no-advisories to resolve without advisories"
)


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    with OsvServer(records=load_records()) as server:
        yield server


@pytest.fixture
def http(tmp_path: Path) -> Iterator[HttpClient]:
    with HttpClient(FAST, Cache(tmp_path / "cache")) as client:
        yield client


def closed_port() -> str:
    """The URL of a port nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def ids(found: tuple[Advisory, ...]) -> list[str]:
    return [advisory.id for advisory in found]


def test_the_default_asks_the_osv_api_alone() -> None:
    assert AdvisoryOptions() == AdvisoryOptions(directories=(), osv_url="https://api.osv.dev")
    assert AdvisoryOptions().enabled
    assert AdvisoryOptions.disabled() == AdvisoryOptions(directories=(), osv_url=None)
    assert not AdvisoryOptions.disabled().enabled


def test_no_source_knows_nothing_and_asks_nothing(http: HttpClient) -> None:
    opened = open_advisories(AdvisoryOptions.disabled(), http)
    assert opened.source == NoAdvisories()
    assert opened.osv is None
    assert (opened.warnings, opened.notes) == ((), ())
    opened.check()


def test_the_osv_api_is_asked_by_package_through_the_runs_client(osv: OsvServer, http: HttpClient) -> None:
    opened = open_advisories(AdvisoryOptions(osv_url=osv.url), http)
    assert isinstance(opened.osv, OsvApi)
    assert opened.osv.by_package and opened.osv.http is http
    opened.expect(["jinja2"])
    assert ids(opened.source.advisories_for(URLLIB3, Version("2.0.6"))) == ["PYSEC-2023-212"]
    assert ids(opened.source.advisories_for(JINJA2, Version("3.1.2"))) == ["GHSA-h5c8-rqwp-cp95"]
    assert osv.queried() == [("urllib3", None, None), ("jinja2", None, None)]
    assert opened.warnings == ()


def test_folders_alone_ask_no_service(http: HttpClient) -> None:
    opened = open_advisories(AdvisoryOptions(directories=(DATABASE,), osv_url=None), http)
    assert isinstance(opened.source, LocalAdvisories)
    assert opened.osv is None
    assert ids(opened.source.advisories_for(canonicalize_name("django"), Version("3.2.3"))) == [
        "PYSEC-2021-98"
    ]


def test_folders_and_the_osv_api_together_report_each_vulnerability_once(
    tmp_path: Path, osv: OsvServer, http: HttpClient
) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    # The folder holds the GHSA record the service also has under PYSEC-2023-212: one vulnerability.
    record = load_records("GHSA-g4mx-q9vg-27p4")["GHSA-g4mx-q9vg-27p4"]
    (folder / "GHSA-g4mx-q9vg-27p4.json").write_text(json.dumps(record))
    opened = open_advisories(AdvisoryOptions(directories=(folder,), osv_url=osv.url), http)
    assert isinstance(opened.source, CombinedAdvisories)
    (found,) = opened.source.advisories_for(URLLIB3, Version("2.0.6"))
    assert (found.id, found.aliases) == ("PYSEC-2023-212", ("GHSA-g4mx-q9vg-27p4", "CVE-2023-45803"))


def test_a_missing_folder_fails_before_anything_is_asked(tmp_path: Path, http: HttpClient) -> None:
    with pytest.raises(AdvisoryFolderError) as caught:
        open_advisories(AdvisoryOptions(directories=(tmp_path / "nowhere",)), http)
    assert str(caught.value).startswith(f"{tmp_path / 'nowhere'}: advisory folder not found\n  fix: ")
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


def test_an_unreachable_osv_api_warns_once_and_then_knows_nothing(http: HttpClient) -> None:
    url = closed_port()
    opened = open_advisories(AdvisoryOptions(osv_url=url), http)
    assert opened.source.advisories_for(URLLIB3, Version("2.0.5")) == ()
    assert opened.source.advisories_for(JINJA2, Version("3.1.2")) == ()
    (warning,) = opened.warnings
    assert warning.startswith(
        f"advisories unavailable: could not get security advisories from the OSV API ({url}/v1/querybatch): "
        "cannot connect"
    )
    assert warning.endswith("after 2 attempts; vulnerabilities are not checked")
    opened.check()


def test_after_a_failure_the_service_is_not_asked_again(osv: OsvServer, http: HttpClient) -> None:
    osv.fail("/v1/querybatch", 503, times=2)
    guarded = GuardedAdvisories(OsvApi(http, base_url=osv.url, by_package=True))
    assert guarded.advisories_for(URLLIB3, Version("2.0.5")) == ()
    assert guarded.advisories_for(URLLIB3, Version("2.0.5")) == ()
    assert guarded.advisories_for(JINJA2, Version("3.1.2")) == ()
    assert len(osv.requests_to("/v1/querybatch")) == 2
    assert guarded.warnings == (
        "advisories unavailable: could not get security advisories from the OSV API "
        f"({osv.url}/v1/querybatch): HTTP 503 Service Unavailable after 2 attempts; "
        "vulnerabilities are not checked",
    )


def test_a_required_source_fails_the_run_naming_the_osv_api_and_the_fixes(
    osv: OsvServer, http: HttpClient
) -> None:
    osv.fail("/v1/querybatch", 503, times=2)
    opened = open_advisories(
        AdvisoryOptions(osv_url=osv.url), http, required="the security recommendation type"
    )
    with pytest.raises(AdvisoriesUnavailableError) as caught:
        opened.source.advisories_for(URLLIB3, Version("2.0.5"))
    assert str(caught.value) == (
        "the security recommendation type needs security advisories: could not get security advisories from "
        f"the OSV API ({osv.url}/v1/querybatch): HTTP 503 Service Unavailable after 2 attempts\n"
        + UNAVAILABLE_FIX
    )
    assert caught.value.exit_code == ExitCode.ENVIRONMENT
    # Every later question, and the check after the run, fail the same way; nothing more is asked.
    with pytest.raises(AdvisoriesUnavailableError):
        opened.source.advisories_for(JINJA2, Version("3.1.2"))
    with pytest.raises(AdvisoriesUnavailableError):
        opened.check()
    assert len(osv.requests_to("/v1/querybatch")) == 2
    assert opened.warnings == ()


def test_offline_with_nothing_cached_is_a_failure_like_any_other(osv: OsvServer, tmp_path: Path) -> None:
    with HttpClient(HttpSettings(offline=True), Cache(tmp_path / "cache")) as offline:
        opened = open_advisories(AdvisoryOptions(osv_url=osv.url), offline, required="a test")
        with pytest.raises(AdvisoriesUnavailableError) as caught:
            opened.source.advisories_for(URLLIB3, Version("2.0.5"))
    assert caught.value.message == (
        "a test needs security advisories: --offline: no cached copy of the OSV API's advisories for urllib3"
    )
    assert osv.requests == []


def test_the_records_notes_are_gathered(tmp_path: Path, http: HttpClient) -> None:
    record = load_records("GHSA-h5c8-rqwp-cp95")["GHSA-h5c8-rqwp-cp95"]
    record["affected"][0]["versions"] = ["3.1.2", "3.1.2-final-1"]
    (tmp_path / "GHSA-h5c8-rqwp-cp95.json").write_text(json.dumps(record))
    opened = open_advisories(AdvisoryOptions(directories=(tmp_path,), osv_url=None), http)
    assert ids(opened.source.advisories_for(JINJA2, Version("3.1.2"))) == ["GHSA-h5c8-rqwp-cp95"]
    assert opened.notes == (
        f"GHSA-h5c8-rqwp-cp95 ({tmp_path / 'GHSA-h5c8-rqwp-cp95.json'}) [affected[0].versions[1]]: "
        "'3.1.2-final-1' is not a PEP 440 version; list entry skipped",
    )
