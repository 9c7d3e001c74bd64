"""A local folder of OSV records as an advisory source: PyPA's layout, a flat export, errors with lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from thoth_cli.errors import ExitCode
from thoth_cli.knowledge.advisories import AdvisorySource
from thoth_cli.knowledge.local import AdvisoryFolderError, LocalAdvisories, read_record
from thoth_cli.knowledge.osv import OsvRecordError

DATA = Path(__file__).parent / "data"
CLONE = DATA / "advisory-database"
EXPORT = DATA / "osv-export"
FOLDER_FIX = (
    "pass a clone of https://github.com/pypa/advisory-database or a folder of OSV records "
    "(e.g. OSV's PyPI export, all.zip, unzipped)"
)
# libyaml (PyYAML's usual build) and PyYAML's pure-Python parser word this error differently.
YAML_PROBLEM = (
    "mapping values are not allowed in this context"
    if yaml.__with_libyaml__
    else "mapping values are not allowed here"
)
DJANGO = NormalizedName("django")
RECORD_FIX = "correct or remove the record; the OSV schema is https://ossf.github.io/osv-schema/"


def ids(source: AdvisorySource, name: str, version: str) -> list[str]:
    return [a.id for a in source.advisories_for(canonicalize_name(name), Version(version))]


def test_a_pypa_clone_answers_per_package_and_version() -> None:
    source = LocalAdvisories(CLONE)
    assert source.file_count == 8
    assert ids(source, "Django", "3.1.11") == ["PYSEC-2021-98"]
    assert ids(source, "django", "3.1.12") == []
    assert ids(source, "PyYAML", "5.1.2") == ["PYSEC-2020-176", "PYSEC-2021-142"]
    assert ids(source, "pyyaml", "5.3.1") == ["PYSEC-2021-142"]
    assert ids(source, "pillow", "9.2.0") == ["PYSEC-2022-42980", "PYSEC-2023-227"]
    assert ids(source, "requests", "2.0.0") == []
    assert source.notes == ()


def test_withdrawn_records_are_skipped() -> None:
    source = LocalAdvisories(CLONE)
    assert ids(source, "aiohttp", "3.8.1") == []
    assert source.records_for("aiohttp") == ()


def test_an_osv_export_is_indexed_by_the_packages_its_records_name() -> None:
    source = LocalAdvisories(EXPORT)
    assert ids(source, "pyyaml", "5.3") == ["GHSA-8q59-q68h-6hv4"]
    assert ids(source, "ujson", "4.1.0") == ["OSV-2021-955"]
    assert ids(source, "ujson", "5.1.0") == []
    assert [record.id for record in source.records_for("Django")] == ["GHSA-68w8-qjq3-2gfm"]


def test_one_vulnerability_in_two_databases_is_reported_once(tmp_path: Path) -> None:
    shutil.copytree(CLONE, tmp_path / "advisory-database")
    shutil.copytree(EXPORT, tmp_path / "osv")
    source = LocalAdvisories(tmp_path)
    (advisory,) = source.advisories_for(NormalizedName("django"), Version("3.2.3"))
    assert (advisory.id, advisory.aliases) == ("PYSEC-2021-98", ("GHSA-68w8-qjq3-2gfm", "CVE-2021-33203"))
    assert ids(source, "pyyaml", "5.1.2") == ["PYSEC-2020-176", "PYSEC-2021-142"]
    assert ids(source, "py", "1.11.0") == ["PYSEC-2022-42969"]


def test_package_folders_are_read_only_when_their_package_is_asked_about(tmp_path: Path) -> None:
    shutil.copytree(CLONE, tmp_path, dirs_exist_ok=True)
    shutil.copy(
        DATA / "broken" / "PYSEC-2022-42969.yaml", tmp_path / "vulns" / "py" / "PYSEC-2022-42969.yaml"
    )
    source = LocalAdvisories(tmp_path)
    assert ids(source, "django", "3.0") == ["PYSEC-2021-98"]
    with pytest.raises(OsvRecordError):
        source.advisories_for(NormalizedName("py"), Version("1.0.0"))


def test_a_record_in_the_pypa_layout_counts_for_its_folders_package_only(tmp_path: Path) -> None:
    # GHSA-68w8-qjq3-2gfm names django; filed under vulns/flask it is read for flask, which it
    # does not affect, and never for django.
    (tmp_path / "vulns" / "flask").mkdir(parents=True)
    record = (EXPORT / "GHSA-68w8-qjq3-2gfm.json").read_text()
    (tmp_path / "vulns" / "flask" / "GHSA-68w8-qjq3-2gfm.yaml").write_text(record)
    source = LocalAdvisories(tmp_path)
    assert ids(source, "flask", "1.0") == []
    assert ids(source, "django", "3.0") == []


def test_an_exported_record_is_read_in_full_when_a_package_it_names_is_asked_about(tmp_path: Path) -> None:
    shutil.copytree(EXPORT, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "GHSA-68w8-qjq3-2gfm.json"
    path.write_text(
        path.read_text().replace('"introduced": "3.2.0"', '"introduced": "3.2.0", "fixed": "3.2.4"')
    )
    source = LocalAdvisories(tmp_path)
    assert ids(source, "pyyaml", "5.3") == ["GHSA-8q59-q68h-6hv4"]
    with pytest.raises(OsvRecordError) as caught:
        source.advisories_for(DJANGO, Version("3.2.0"))
    assert str(caught.value) == (
        f"{path} [affected[2].ranges[0].events[0]]: an event needs exactly one of introduced, fixed, "
        f"last_affected, limit: {{'introduced': '3.2.0', 'fixed': '3.2.4'}}\n  fix: {RECORD_FIX}"
    )


def test_a_record_that_names_no_package_readably_fails_the_first_question(tmp_path: Path) -> None:
    shutil.copytree(EXPORT, tmp_path, dirs_exist_ok=True)
    (tmp_path / "all.json").write_text("[]")
    source = LocalAdvisories(tmp_path)
    with pytest.raises(OsvRecordError) as caught:
        source.advisories_for(NormalizedName("ujson"), Version("4.1.0"))
    assert str(caught.value) == (
        f"{tmp_path / 'all.json'}: not an OSV record: expected a mapping of fields: 'list'\n"
        f"  fix: {RECORD_FIX}"
    )


def test_unquoted_yaml_versions_stay_text(tmp_path: Path) -> None:
    (tmp_path / "PYSEC-TEST-1.yaml").write_text(
        "id: PYSEC-TEST-1\n"
        "modified: 2023-11-03T10:29:41Z\n"
        "affected:\n"
        "- package: {ecosystem: PyPI, name: example}\n"
        "  ranges:\n"
        "  - type: ECOSYSTEM\n"
        "    events:\n"
        "    - introduced: 0\n"
        "    - fixed: 2.0\n"
        "  versions:\n"
        "  - 1.10\n"
    )
    source = LocalAdvisories(tmp_path)
    (record,) = source.records_for("example")
    assert record.affected[0].versions == frozenset({Version("1.10")})
    assert ids(source, "example", "1.10") == ["PYSEC-TEST-1"]
    assert ids(source, "example", "2.0") == []


def test_hidden_folders_and_other_files_are_not_read(tmp_path: Path) -> None:
    shutil.copytree(EXPORT, tmp_path, dirs_exist_ok=True)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs: {}\n")
    (tmp_path / "README.md").write_text("# not a record\n")
    source = LocalAdvisories(tmp_path)
    assert source.file_count == 4
    assert ids(source, "ujson", "5.0.0") == ["OSV-2021-955"]


def test_notes_of_skipped_versions_are_kept(tmp_path: Path) -> None:
    text = (EXPORT / "OSV-2021-955.json").read_text().replace('"4.1.0"', '"4.1.0-final-1"')
    (tmp_path / "OSV-2021-955.json").write_text(text)
    source = LocalAdvisories(tmp_path)
    assert ids(source, "ujson", "4.2.0") == ["OSV-2021-955"]
    assert source.notes == (
        f"OSV-2021-955 ({tmp_path / 'OSV-2021-955.json'}) [affected[0].versions[1]]: "
        "'4.1.0-final-1' is not a PEP 440 version; list entry skipped",
    )


def test_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(AdvisoryFolderError) as caught:
        LocalAdvisories(tmp_path / "advisory-database")
    assert (
        str(caught.value)
        == f"{tmp_path / 'advisory-database'}: advisory folder not found\n  fix: {FOLDER_FIX}"
    )
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


def test_a_folder_without_records_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# advisories\n")
    with pytest.raises(AdvisoryFolderError) as caught:
        LocalAdvisories(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}: advisory folder holds no OSV record (*.json, *.yaml, *.yml)\n  fix: {FOLDER_FIX}"
    )


def test_invalid_yaml_is_named_with_its_file_and_line() -> None:
    path = DATA / "broken" / "PYSEC-2022-42969.yaml"
    with pytest.raises(OsvRecordError) as caught:
        read_record(path)
    assert str(caught.value) == f"{path}:2: not valid YAML: {YAML_PROBLEM}\n  fix: {RECORD_FIX}"


def test_invalid_json_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "GHSA-8q59-q68h-6hv4.json"
    path.write_text((EXPORT / "GHSA-8q59-q68h-6hv4.json").read_text().replace('"PyYAML"\n', '"PyYAML",\n'))
    source = LocalAdvisories(tmp_path)
    with pytest.raises(OsvRecordError) as caught:
        source.advisories_for(NormalizedName("pyyaml"), Version("5.3"))
    assert str(caught.value) == (
        f"{path}:22: not valid JSON: Expecting property name enclosed in double quotes\n  fix: {RECORD_FIX}"
    )
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


def test_answers_are_the_same_each_time() -> None:
    source = LocalAdvisories(CLONE)
    first = source.advisories_for(NormalizedName("django"), Version("2.2.0"))
    assert source.advisories_for(NormalizedName("django"), Version("2.2")) == first
    assert first[0].fixed == (Version("2.2.24"), Version("3.1.12"), Version("3.2.4"))
