"""Lock-file values: pins, shareable URLs and the hashes a lock records."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.lock.builders import dist, pinned
from thoth_cli.index.model import DistributionFile, Hashes
from thoth_cli.lock.model import (
    LockedPackage,
    LockFile,
    LockFormat,
    MissingHashError,
    package_hashes,
    shareable_url,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://pypi.org/simple/", "https://pypi.org/simple/"),
        ("https://alice:s3cret@pkgs.example.com/simple/", "https://pkgs.example.com/simple/"),
        ("https://token@pkgs.example.com:8443/simple/", "https://pkgs.example.com:8443/simple/"),
        (
            "https://${USER}:${TOKEN}@pkgs.example.com/simple/",
            "https://${USER}:${TOKEN}@pkgs.example.com/simple/",
        ),
        ("https://$TOKEN@pkgs.example.com/simple/", "https://$TOKEN@pkgs.example.com/simple/"),
        ("https://${USER}:s3cret@pkgs.example.com/simple/", "https://pkgs.example.com/simple/"),
    ],
)
def test_shareable_url(url: str, expected: str) -> None:
    assert shareable_url(url) == expected


def test_package_hashes_are_sorted_and_unique() -> None:
    package = pinned(
        "a",
        "1.0",
        (
            dist("a-1.0-py3-none-any.whl", "b"),
            dist("a-1.0-py2.py3-none-any.whl", "b"),
            dist("a-1.0.tar.gz", "a"),
        ),
    )
    assert package_hashes(package) == ("sha256:" + "a" * 64, "sha256:" + "b" * 64)


def test_a_file_without_sha256_names_package_file_and_index() -> None:
    unhashed = DistributionFile("a-1.0.tar.gz", "https://x.example/a-1.0.tar.gz", "pypi", Hashes())
    with pytest.raises(MissingHashError) as caught:
        package_hashes(pinned("a", "1.0", (unhashed,)))
    assert (caught.value.package, caught.value.version, caught.value.filename) == ("a", "1.0", "a-1.0.tar.gz")


def test_pins_keep_the_first_entry_and_skip_unversioned_packages() -> None:
    lock = LockFile(
        path=Path("pylock.toml"),
        format=LockFormat.PYLOCK,
        packages=(
            LockedPackage(canonicalize_name("a"), Version("1.0")),
            LockedPackage(canonicalize_name("a"), Version("2.0")),
            LockedPackage(canonicalize_name("local-tool"), None),
        ),
    )
    assert lock.pins() == {"a": Version("1.0")}
    assert lock.get("a") == LockedPackage(canonicalize_name("a"), Version("1.0"))
    assert lock.get("missing") is None
