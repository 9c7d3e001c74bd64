"""The adviser: the target a lock records (its patch release asked for?), and why a pin is not the newest."""

from __future__ import annotations

import sys

from packaging.utils import canonicalize_name
from packaging.version import Version

from thoth_cli.adviser import EXPLAINED_REMOVALS, RecordedTarget, explain_removals
from thoth_cli.index.model import IndexSpec
from thoth_cli.stack import Justification, JustificationType, PinnedPackage, Stack
from thoth_cli.target import Target


def test_the_running_interpreter_was_not_asked_for_by_its_patch_release() -> None:
    assert not Target.current().python_version_exact
    assert not Target.from_options(None, "manylinux_2_28_x86_64").python_version_exact


def test_an_x_y_was_not_asked_for_by_its_patch_release() -> None:
    assert not Target.from_options("3.12", "manylinux_2_28_x86_64").python_version_exact


def test_an_x_y_z_was_asked_for_even_when_it_is_the_running_one() -> None:
    major, minor, micro = sys.version_info[:3]
    assert Target.from_options(f"{major}.{minor}.{micro}", None).python_version_exact
    assert Target.from_options(f"{major}.{minor}.{micro + 1}", None).python_version_exact


def test_a_recorded_target_adds_an_environment_table_only_when_there_are_facts() -> None:
    target = Target.from_options("3.12", "manylinux_2_28_x86_64")
    assert RecordedTarget(target).as_dict() == target.as_dict()
    recorded = RecordedTarget(target, {"cuda_version": "12.4"}).as_dict()
    assert recorded == {**target.as_dict(), "environment": {"cuda_version": "12.4"}}


# Why a pin is not the newest release ---------------------------------------------------------------

PYPI = IndexSpec("pypi", "https://pypi.org/simple")


def pinned(name: str, version: str) -> PinnedPackage:
    return PinnedPackage(canonicalize_name(name), name, Version(version), PYPI, files=())


def test_a_pin_below_releases_units_removed_says_why() -> None:
    stack = Stack((pinned("urllib3", "1.26.18"), pinned("idna", "3.6")), edges=())
    removed = {
        canonicalize_name("urllib3"): {
            Version("2.0.5"): "removed by unit vulnerabilities: known vulnerable: PYSEC-2023-192",
            Version("2.0.4"): "removed by unit vulnerabilities: known vulnerable: PYSEC-2023-212",
            # Older than the pin: not a reason for it.
            Version("1.26.17"): "removed by unit vulnerabilities: known vulnerable: PYSEC-2023-212",
        }
    }
    explained = explain_removals(stack, removed)
    assert explained.packages == stack.packages
    assert explained.justifications == (
        Justification(
            JustificationType.INFO,
            "chosen over 2.0.5, removed by unit vulnerabilities: known vulnerable: PYSEC-2023-192",
            package="urllib3",
            version="1.26.18",
        ),
        Justification(
            JustificationType.INFO,
            "chosen over 2.0.4, removed by unit vulnerabilities: known vulnerable: PYSEC-2023-212",
            package="urllib3",
            version="1.26.18",
        ),
    )


def test_many_removed_releases_are_named_up_to_a_few_and_counted() -> None:
    stack = Stack(
        (pinned("a", "1.0"),), edges=(), justifications=(Justification(JustificationType.INFO, "x"),)
    )
    removed = {canonicalize_name("a"): {Version(f"2.{minor}"): f"removed {minor}" for minor in range(6)}}
    messages = [j.message for j in explain_removals(stack, removed).justifications]
    assert messages == [
        "x",
        "chosen over 2.5, removed 5",
        "chosen over 2.4, removed 4",
        "chosen over 2.3, removed 3",
        "chosen over 3 more newer releases that units removed",
    ]
    assert EXPLAINED_REMOVALS == 3


def test_a_stack_nothing_was_removed_from_is_unchanged() -> None:
    stack = Stack((pinned("a", "2.0"),), edges=())
    assert explain_removals(stack, {canonicalize_name("a"): {Version("1.0"): "removed"}}) is stack
    assert explain_removals(stack, {}) is stack
