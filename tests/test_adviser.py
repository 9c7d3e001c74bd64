"""The adviser's view of the target a lock records: whether its patch release was asked for."""

from __future__ import annotations

import sys

from thoth_cli.adviser import RecordedTarget
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
