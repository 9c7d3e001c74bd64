"""Platforms in words, with the C library floor that decides whether a Linux wheel fits."""

from __future__ import annotations

import pytest

from thoth_cli.resolver.describe import human_platform


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("manylinux_2_28_x86_64", "Linux x86_64 (glibc 2.28+)"),
        ("manylinux2014_aarch64", "Linux arm64 (glibc 2.17+)"),
        ("manylinux2010_x86_64", "Linux x86_64 (glibc 2.12+)"),
        ("manylinux1_i686", "Linux x86 (glibc 2.5+)"),
        ("musllinux_1_2_x86_64", "Linux x86_64 (musl 1.2+)"),
        ("linux_armv7l", "Linux armv7"),
        ("macosx_11_0_arm64", "macOS arm64"),
        ("win_amd64", "Windows x86_64"),
        ("any", "any platform"),
    ],
)
def test_human_platform(tag: str, words: str) -> None:
    assert human_platform(tag) == words
