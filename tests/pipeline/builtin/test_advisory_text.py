"""How built-in units word a known vulnerability."""

from __future__ import annotations

from packaging.utils import canonicalize_name
from packaging.version import Version

from thoth_cli.knowledge.advisories import Advisory
from thoth_cli.pipeline.builtin import advisory_text


def test_fixed_versions_are_listed_oldest_first() -> None:
    advisory = Advisory(
        "PYSEC-1", canonicalize_name("pkg"), fixed=(Version("2.0.1"), Version("1.10"), Version("1.9"))
    )
    assert advisory_text.fixed_in(advisory) == "fixed in 1.9, 1.10, 2.0.1"


def test_an_advisory_without_a_fix_says_so() -> None:
    assert advisory_text.fixed_in(Advisory("PYSEC-1", canonicalize_name("pkg"))) == "no fixed release yet"


def test_names_lead_with_the_id_and_follow_with_its_aliases() -> None:
    bare = Advisory("GHSA-1", canonicalize_name("pkg"))
    aliased = Advisory("PYSEC-1", canonicalize_name("pkg"), aliases=("CVE-2024-1", "GHSA-2"))
    assert advisory_text.names(bare) == "GHSA-1"
    assert advisory_text.names(aliased) == "PYSEC-1 (CVE-2024-1, GHSA-2)"


def test_a_pinned_vulnerability_names_package_version_advisory_and_fix() -> None:
    advisory = Advisory(
        "PYSEC-1", canonicalize_name("my-pkg"), summary="path traversal", fixed=(Version("1.2.4"),)
    )
    assert advisory_text.pinned_vulnerability("My_Pkg", Version("1.2.3"), advisory) == (
        "My_Pkg 1.2.3 has a known vulnerability PYSEC-1: path traversal; fixed in 1.2.4"
    )
