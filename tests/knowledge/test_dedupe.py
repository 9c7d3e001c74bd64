"""One vulnerability, one report: advisories that alias each other merged, in a source and across them."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import Version

from thoth_cli.knowledge.advisories import Advisory, StaticAdvisories
from thoth_cli.knowledge.dedupe import CombinedAdvisories, id_rank, merge_advisories
from thoth_cli.knowledge.local import LocalAdvisories, read_record

DATA = Path(__file__).parent / "data"
PYPA = DATA / "advisory-database" / "vulns"
EXPORT = DATA / "osv-export"
DJANGO = NormalizedName("django")


def advisory(identifier: str, *aliases: str, fixed: tuple[str, ...] = (), summary: str = "") -> Advisory:
    return Advisory(
        id=identifier,
        package=DJANGO,
        summary=summary,
        aliases=aliases,
        fixed=tuple(Version(v) for v in fixed),
        link=f"https://example.org/{identifier}",
    )


def test_a_pysec_and_a_ghsa_record_joined_only_by_their_cve_are_one() -> None:
    pysec = read_record(PYPA / "django" / "PYSEC-2021-98.yaml").advisory_for("django")
    ghsa = read_record(EXPORT / "GHSA-68w8-qjq3-2gfm.json").advisory_for("django")
    assert merge_advisories([ghsa, pysec]) == (
        Advisory(
            id="PYSEC-2021-98",
            package=DJANGO,
            summary=pysec.summary,
            aliases=("GHSA-68w8-qjq3-2gfm", "CVE-2021-33203"),
            fixed=(Version("2.2.24"), Version("3.1.12"), Version("3.2.4")),
            link="https://docs.djangoproject.com/en/3.2/releases/security/",
        ),
    )


def test_a_pysec_record_naming_its_ghsa_is_one_with_it() -> None:
    pysec = read_record(PYPA / "pyyaml" / "PYSEC-2021-142.yaml").advisory_for("pyyaml")
    ghsa = read_record(EXPORT / "GHSA-8q59-q68h-6hv4.json").advisory_for("PyYAML")
    other = read_record(PYPA / "pyyaml" / "PYSEC-2020-176.yaml").advisory_for("pyyaml")
    merged = merge_advisories([ghsa, other, pysec])
    assert [(a.id, a.aliases) for a in merged] == [
        ("PYSEC-2020-176", ("CVE-2019-20477",)),
        ("PYSEC-2021-142", ("GHSA-8q59-q68h-6hv4", "CVE-2020-14343")),
    ]


def test_aliases_join_through_other_records() -> None:
    merged = merge_advisories(
        [
            advisory("GHSA-aaaa-bbbb-cccc", "CVE-2024-1"),
            advisory("OSV-2024-7", "CVE-2024-1", "CVE-2024-2"),
            advisory("PYSEC-2024-9", "CVE-2024-2"),
            advisory("PYSEC-2024-10", "CVE-2024-3"),
        ]
    )
    assert [(a.id, a.aliases) for a in merged] == [
        ("PYSEC-2024-10", ("CVE-2024-3",)),
        ("PYSEC-2024-9", ("GHSA-aaaa-bbbb-cccc", "OSV-2024-7", "CVE-2024-1", "CVE-2024-2")),
    ]


def test_the_merged_advisory_unions_fixes_and_takes_the_first_summary() -> None:
    (merged,) = merge_advisories(
        [
            advisory("PYSEC-2021-98", "CVE-2021-33203", fixed=("2.2.24", "3.2.4")),
            advisory(
                "GHSA-68w8-qjq3-2gfm", "CVE-2021-33203", fixed=("3.1.12", "3.2.4"), summary="Path Traversal"
            ),
        ]
    )
    assert merged.fixed == (Version("2.2.24"), Version("3.1.12"), Version("3.2.4"))
    assert (merged.summary, merged.link) == ("Path Traversal", "https://example.org/PYSEC-2021-98")


def test_the_same_record_twice_is_one() -> None:
    record = advisory("GHSA-68w8-qjq3-2gfm", "CVE-2021-33203")
    assert merge_advisories([record, record]) == (record,)


def test_one_cve_in_two_packages_stays_two_advisories() -> None:
    django = advisory("GHSA-1111-2222-3333", "CVE-2024-1")
    pillow = Advisory(id="GHSA-4444-5555-6666", package=NormalizedName("pillow"), aliases=("CVE-2024-1",))
    assert merge_advisories([pillow, django]) == (django, pillow)


def test_ids_rank_pysec_then_ghsa_then_other_databases_then_cve() -> None:
    ranked = sorted(
        ["CVE-2021-33203", "OSV-2021-955", "GHSA-68w8-qjq3-2gfm", "PYSEC-2021-98", "BIT-x-1"], key=id_rank
    )
    assert ranked == ["PYSEC-2021-98", "GHSA-68w8-qjq3-2gfm", "BIT-x-1", "OSV-2021-955", "CVE-2021-33203"]


def test_combined_sources_report_each_vulnerability_once() -> None:
    local = LocalAdvisories(DATA / "advisory-database")
    static = StaticAdvisories.of(
        [(advisory("GHSA-68w8-qjq3-2gfm", "CVE-2021-33203", fixed=("3.2.4",)), ["3.2.3"])]
    )
    combined = CombinedAdvisories([static, local])
    (found,) = combined.advisories_for(DJANGO, Version("3.2.3"))
    assert (found.id, found.aliases) == ("PYSEC-2021-98", ("GHSA-68w8-qjq3-2gfm", "CVE-2021-33203"))
    assert combined.advisories_for(DJANGO, Version("3.2.4")) == ()
    assert [a.id for a in combined.advisories_for(DJANGO, Version("3.1.0"))] == ["PYSEC-2021-98"]
