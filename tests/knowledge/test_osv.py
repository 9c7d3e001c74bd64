"""OSV records read exactly: real PyPA, GitHub and OSS-Fuzz records of tricky shape, exact versions."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.errors import ExitCode, InputError
from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.knowledge.local import read_record
from thoth_cli.knowledge.osv import OsvRecord, OsvRecordError, parse_record

DATA = Path(__file__).parent / "data"
PYPA = DATA / "advisory-database" / "vulns"
EXPORT = DATA / "osv-export"
FIX = "correct or remove the record; the OSV schema is https://ossf.github.io/osv-schema/"


def pypa(package: str, record_id: str) -> OsvRecord:
    return read_record(PYPA / package / f"{record_id}.yaml")


def exported(record_id: str) -> OsvRecord:
    return read_record(EXPORT / f"{record_id}.json")


def exported_data(record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXPORT / f"{record_id}.json").read_text())
    return data


def affected(record: OsvRecord, name: str, versions: list[str]) -> list[str]:
    return [v for v in versions if record.affects(name, Version(v))]


DJANGO_PROBES = [
    "0.96", "1.0", "1.11.29", "2.2.23", "2.2.24", "2.2.28", "3.0", "3.0.14", "3.1.11", "3.1.12",
    "3.1.14", "3.2a1", "3.2rc1", "3.2", "3.2.3", "3.2.4", "4.0",
]  # fmt: skip
DJANGO_AFFECTED = ["0.96", "1.0", "1.11.29", "2.2.23", "3.0", "3.0.14", "3.1.11", "3.2", "3.2.3"]


@pytest.mark.parametrize(
    "record",
    [pypa("django", "PYSEC-2021-98"), exported("GHSA-68w8-qjq3-2gfm")],
    ids=["pairs-in-one-range", "one-affected-entry-per-branch"],
)
def test_several_introduced_fixed_pairs_are_separate_intervals(record: OsvRecord) -> None:
    # PYSEC writes the three branches as pairs in one range ("3.0", "3.2"); GHSA as three
    # affected entries ("3.0.0", "3.2.0"): PEP 440 reads both the same way. 3.2a1 and 3.2rc1
    # come after the 3.1.12 fix and before 3.2 was introduced: not affected.
    assert affected(record, "Django", DJANGO_PROBES) == DJANGO_AFFECTED
    assert record.fixed_versions("django") == (Version("2.2.24"), Version("3.1.12"), Version("3.2.4"))


def test_the_range_and_the_explicit_list_each_affect() -> None:
    record = pypa("django", "PYSEC-2021-98")
    (entry,) = record.affected
    # 1.0 was never uploaded to PyPI, so the list lacks it; the range still covers it.
    assert Version("1.0") not in entry.versions
    assert record.affects("django", Version("1.0"))
    assert len(entry.versions) == 266


def test_an_introduced_prerelease_starts_the_range() -> None:
    record = pypa("mistune", "PYSEC-2022-237")
    assert affected(record, "mistune", ["0.8.4", "2.0.0a1", "2.0.0rc1", "2.0.2", "2.0.3", "3.0.0"]) == [
        "2.0.0a1",
        "2.0.0rc1",
        "2.0.2",
    ]


def test_fixed_at_a_prerelease_excludes_the_final_release_too() -> None:
    record = pypa("pyyaml", "PYSEC-2020-176")
    assert affected(record, "PyYAML", ["5.1b7", "5.1", "5.1.1", "5.1.2", "5.2b1", "5.2", "5.3.1"]) == [
        "5.1",
        "5.1.1",
        "5.1.2",
    ]


@pytest.mark.parametrize(
    "record",
    [pypa("py", "PYSEC-2022-42969"), exported("GHSA-w596-4wvx-j9j6")],
    ids=["pysec-with-list", "ghsa-range-only"],
)
def test_last_affected_is_inclusive(record: OsvRecord) -> None:
    probes = ["0.8.0a2", "1.4.7.dev3", "1.10.0", "1.11.0", "1.11.0.post1", "1.11.1", "2.0"]
    # A post-release of the last affected version comes after it: not affected by the range.
    assert affected(record, "py", probes) == ["0.8.0a2", "1.4.7.dev3", "1.10.0", "1.11.0"]
    assert record.fixed_versions("py") == ()


def test_list_entries_are_matched_by_pep440_equality() -> None:
    record = pypa("py", "PYSEC-2022-42969")
    (entry,) = record.affected
    # The list says "0.8.0-alpha2", PyPI's normal form of the same release is 0.8.0a2.
    assert Version("0.8.0a2") in entry.versions


def test_git_ranges_hold_commits_and_never_match_versions() -> None:
    record = pypa("pillow", "PYSEC-2022-42980")
    (entry,) = record.affected
    assert (entry.git_ranges, len(entry.ranges)) == (1, 1)
    # The GIT range is introduced at "0": read as versions, it would affect everything below 9.2.0.
    assert affected(record, "Pillow", ["8.4.0", "9.1.1", "9.2.0", "9.3.0"]) == ["9.2.0"]


def test_an_entry_with_only_git_ranges_matches_by_its_version_list() -> None:
    record = exported("OSV-2021-955")
    (entry,) = record.affected
    assert (entry.git_ranges, entry.ranges) == (1, ())
    probes = ["4.0.1", "4.0.2", "4.1.0", "4.3.0", "5.0.0", "5.1.0"]
    assert affected(record, "ujson", probes) == ["4.0.2", "4.1.0", "4.3.0", "5.0.0"]
    assert record.fixed_versions("ujson") == ()


def test_a_local_build_of_an_affected_release_is_affected() -> None:
    assert exported("OSV-2021-955").affects("ujson", Version("4.1.0+cpu"))
    assert pypa("django", "PYSEC-2021-98").affects("django", Version("3.1.11+ubuntu1"))
    assert pypa("py", "PYSEC-2022-42969").affects("py", Version("1.11.0+local"))
    assert not pypa("django", "PYSEC-2021-98").affects("django", Version("3.1.12+ubuntu1"))


def test_withdrawn_records_affect_nothing() -> None:
    record = pypa("aiohttp", "PYSEC-2022-43059")
    assert record.withdrawn == datetime(2023, 11, 8, 0, 54, 24, tzinfo=timezone.utc)
    assert not record.affects("aiohttp", Version("3.8.1"))
    # The same record, not withdrawn: introduced at "0" with no fix, every version onwards.
    live = replace(record, withdrawn=None)
    assert affected(live, "aiohttp", ["0.1", "3.8.1", "3.9.0rc0", "99.0"]) == [
        "0.1",
        "3.8.1",
        "3.9.0rc0",
        "99.0",
    ]


def test_timestamps_are_read_from_text_and_from_yaml_timestamps() -> None:
    unquoted = pypa("pillow", "PYSEC-2023-227")
    assert unquoted.modified == datetime(2023, 11, 3, 10, 29, 41, 505456, tzinfo=timezone.utc)
    assert unquoted.published == datetime(2023, 11, 3, 5, 15, tzinfo=timezone.utc)
    quoted = exported("GHSA-8q59-q68h-6hv4")
    assert quoted.modified == datetime(2021, 9, 28, 19, 4, 49, tzinfo=timezone.utc)
    assert quoted.withdrawn is None


def test_only_pypi_entries_are_kept_with_their_names_normalised() -> None:
    data = exported_data("GHSA-8q59-q68h-6hv4")
    data["affected"].append(
        {"package": {"ecosystem": "Debian:11", "name": "pyyaml"}, "versions": ["5.3.1-5"]}
    )
    data["affected"].append(
        {"ranges": [{"type": "GIT", "repo": "https://github.com/yaml/pyyaml", "events": []}]}
    )
    record = parse_record(data, source="GHSA-8q59-q68h-6hv4.json")
    assert [entry.name for entry in record.affected] == ["pyyaml"]
    assert record.notes == ()


def test_events_are_sorted_by_version_before_evaluation() -> None:
    shuffled = {
        "id": "PYSEC-2021-98",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "django"},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [
                            {"fixed": "3.2.4"},
                            {"introduced": "3.0"},
                            {"fixed": "2.2.24"},
                            {"introduced": "3.2"},
                            {"introduced": "0"},
                            {"fixed": "3.1.12"},
                        ],
                    }
                ],
            }
        ],
    }
    record = parse_record(shuffled, source="shuffled.json")
    assert affected(record, "django", DJANGO_PROBES) == DJANGO_AFFECTED


def test_semver_ranges_are_read_as_pep440_versions() -> None:
    record = parse_record(
        {
            "id": "TEST-SEMVER",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "example"},
                    "ranges": [
                        {"type": "SEMVER", "events": [{"introduced": "1.0.0-beta.1"}, {"fixed": "1.2.3"}]}
                    ],
                }
            ],
        },
        source="semver.json",
    )
    assert affected(record, "example", ["1.0.0a1", "1.0.0b1", "1.0.0", "1.2.2", "1.2.3"]) == [
        "1.0.0b1",
        "1.0.0",
        "1.2.2",
    ]


def test_limit_events_bound_the_range() -> None:
    def with_limit(limit: str) -> OsvRecord:
        events = [{"introduced": "0"}, {"limit": limit}]
        entry = {
            "package": {"ecosystem": "PyPI", "name": "example"},
            "ranges": [{"type": "ECOSYSTEM", "events": events}],
        }
        return parse_record({"id": "TEST-LIMIT", "affected": [entry]}, source="limit.json")

    assert affected(with_limit("2.0"), "example", ["0.1", "1.9", "2.0", "3.0"]) == ["0.1", "1.9"]
    assert affected(with_limit("*"), "example", ["0.1", "1.9", "2.0", "3.0"]) == ["0.1", "1.9", "2.0", "3.0"]


def test_versions_that_are_not_pep440_are_skipped_with_a_note() -> None:
    data = exported_data("GHSA-68w8-qjq3-2gfm")
    data["affected"][1]["ranges"][0]["events"][1] = {"fixed": "3.1.12-lts"}
    data["affected"][2]["ranges"][0]["events"][0] = {"introduced": "three-two"}
    data["affected"][0]["versions"] = ["latest", "2.2.23"]
    record = parse_record(data, source="GHSA-68w8-qjq3-2gfm.json")
    assert record.notes == (
        "GHSA-68w8-qjq3-2gfm (GHSA-68w8-qjq3-2gfm.json) [affected[0].versions[0]]: "
        "'latest' is not a PEP 440 version; list entry skipped",
        "GHSA-68w8-qjq3-2gfm (GHSA-68w8-qjq3-2gfm.json) [affected[1].ranges[0].events[1].fixed]: "
        "'3.1.12-lts' is not a PEP 440 version; event skipped",
        "GHSA-68w8-qjq3-2gfm (GHSA-68w8-qjq3-2gfm.json) [affected[2].ranges[0].events[0].introduced]: "
        "'three-two' is not a PEP 440 version; event skipped",
        "GHSA-68w8-qjq3-2gfm (GHSA-68w8-qjq3-2gfm.json) [affected[2].ranges[0]]: "
        "range has no usable `introduced` event and affects no version",
    )
    # Without its fix the 3.x range runs on; without its start the 3.2 range affects nothing.
    assert affected(record, "django", ["2.2.23", "2.2.24", "3.1.12", "3.2.4", "4.0"]) == [
        "2.2.23",
        "3.1.12",
        "3.2.4",
        "4.0",
    ]


def test_the_link_is_the_best_reference() -> None:
    # REPORT comes first in the record, the ADVISORY is preferred.
    assert pypa("pyyaml", "PYSEC-2021-142").link == "https://github.com/advisories/GHSA-8q59-q68h-6hv4"
    # WEB before ARTICLE.
    assert pypa("django", "PYSEC-2021-98").link == "https://docs.djangoproject.com/en/3.2/releases/security/"
    assert exported("OSV-2021-955").link == "https://bugs.chromium.org/p/oss-fuzz/issues/detail?id=36009"
    package_only = parse_record(
        {"id": "TEST-1", "references": [{"type": "PACKAGE", "url": "https://github.com/yaml/pyyaml"}]},
        source="test.json",
    )
    assert package_only.link is None


def test_the_headline_is_the_summary_or_the_first_sentence_of_the_details() -> None:
    assert exported("GHSA-68w8-qjq3-2gfm").headline == "Path Traversal in Django"
    assert pypa("django", "PYSEC-2021-98").headline == (
        "Django before 2.2.24, 3.x before 3.1.12, and 3.2.x before 3.2.4 has a potential directory "
        "traversal via django.contrib.admindocs."
    )
    assert pypa("pyyaml", "PYSEC-2021-142").headline == (
        "A vulnerability was discovered in the PyYAML library in versions before 5.4, where it is "
        "susceptible to arbitrary code execution when it processes untrusted …"
    )


def test_advisory_for_a_package() -> None:
    assert pypa("pyyaml", "PYSEC-2021-142").advisory_for("PyYAML") == Advisory(
        id="PYSEC-2021-142",
        package=NormalizedName("pyyaml"),
        summary=(
            "A vulnerability was discovered in the PyYAML library in versions before 5.4, where it is "
            "susceptible to arbitrary code execution when it processes untrusted …"
        ),
        aliases=("CVE-2020-14343", "GHSA-8q59-q68h-6hv4"),
        fixed=(Version("5.4"),),
        link="https://github.com/advisories/GHSA-8q59-q68h-6hv4",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "record.json: not an OSV record: expected a mapping of fields: 'list'"),
        ({"summary": "no id"}, "record.json [id]: an OSV record needs an id string"),
        ({"id": "X-1", "aliases": "CVE-1"}, "record.json [aliases]: expected a list: 'CVE-1'"),
        (
            {"id": "X-1", "modified": "yesterday"},
            "record.json [modified]: not an RFC 3339 timestamp: 'yesterday'",
        ),
        (
            {"id": "X-1", "references": [{"type": "WEB"}]},
            "record.json [references[0].url]: a reference needs a url string",
        ),
        (
            {"id": "X-1", "affected": {"package": {}}},
            "record.json [affected]: expected a list: {'package': {}}",
        ),
        (
            {"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI"}}]},
            "record.json [affected[0].package.name]: a PyPI package needs a name",
        ),
        (
            {
                "id": "X-1",
                "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"events": []}]}],
            },
            "record.json [affected[0].ranges[0].type]: a range needs a type (ECOSYSTEM, SEMVER or GIT)",
        ),
        (
            {
                "id": "X-1",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": "a"},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1.0"}]}],
                    }
                ],
            },
            "record.json [affected[0].ranges[0].events[0]]: an event needs exactly one of introduced, fixed, "
            "last_affected, limit: {'introduced': '0', 'fixed': '1.0'}",
        ),
    ],
)
def test_malformed_records_name_the_source_and_key(data: object, message: str) -> None:
    with pytest.raises(OsvRecordError) as caught:
        parse_record(data, source="record.json")
    assert str(caught.value) == f"{message}\n  fix: {FIX}"
    assert isinstance(caught.value, InputError)
    assert caught.value.exit_code == ExitCode.INVALID_INPUT


def test_a_url_source_is_named_as_given() -> None:
    source = "https://api.osv.dev/v1/vulns/GHSA-68w8-qjq3-2gfm"
    with pytest.raises(OsvRecordError) as caught:
        parse_record({"id": 7}, source=source)
    assert caught.value.message == f"{source} [id]: an OSV record needs an id string: 7"
    assert (caught.value.source, caught.value.key) == (source, "id")
