"""Tests that built distributions are real: valid wheels with correct RECORDs, sdists with PKG-INFO."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import tarfile
import zipfile
from typing import Any

import pytest
from packaging.metadata import Metadata
from packaging.utils import parse_sdist_filename, parse_wheel_filename

from tests.indexserver import Release, Universe
from tests.indexserver.build import _build_sdist, _build_wheel, sdist, wheel


def _release(**options: Any) -> Release:
    return Universe().add(
        "Zope.Interface",
        "6.1",
        requires_dist=["setuptools", "coverage>=5.0.3; extra == 'test'"],
        requires_python=">=3.7",
        **options,
    )


def test_wheel_has_metadata_and_a_record_that_matches_its_members() -> None:
    release = _release(wheels=["cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"])
    artefact = wheel(release, release.wheels[0])

    name, version, _, tags = parse_wheel_filename(artefact.filename)
    assert (name, str(version), len(tags)) == ("zope-interface", "6.1", 2)
    assert artefact.filename.startswith("zope_interface-6.1-")
    with zipfile.ZipFile(io.BytesIO(artefact.data)) as archive:
        assert archive.testzip() is None
        assert archive.read("zope_interface-6.1.dist-info/METADATA") == artefact.core_metadata
        assert b"Root-Is-Purelib: false" in archive.read("zope_interface-6.1.dist-info/WHEEL")
        rows = list(csv.reader(io.StringIO(archive.read("zope_interface-6.1.dist-info/RECORD").decode())))
        assert sorted(row[0] for row in rows) == sorted(archive.namelist())
        for path, digest, size in rows:
            if path.endswith("RECORD"):
                assert (digest, size) == ("", "")
                continue
            content = archive.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
            assert (digest, size) == (f"sha256={expected}", str(len(content)))
    metadata = Metadata.from_email(artefact.core_metadata)
    assert [str(r) for r in metadata.requires_dist or []] == [
        "setuptools",
        'coverage>=5.0.3; extra == "test"',
    ]
    assert metadata.provides_extra == ["test"]


@pytest.mark.parametrize(
    ("shape", "metadata_version", "dynamic", "requires_dist"),
    [
        ("static", "2.2", None, 2),
        ("dynamic", "2.2", ["requires-dist", "provides-extra"], 0),
        ("legacy", "2.1", None, 2),
    ],
)
def test_sdist_pkg_info_has_the_chosen_shape(
    shape: str, metadata_version: str, dynamic: list[str] | None, requires_dist: int
) -> None:
    artefact = sdist(_release(sdist_metadata=shape))

    assert parse_sdist_filename(artefact.filename)[0] == "zope-interface"
    with tarfile.open(fileobj=io.BytesIO(artefact.data)) as archive:
        names = archive.getnames()
        member = archive.extractfile("zope_interface-6.1/PKG-INFO")
        assert member is not None
        pkg_info = member.read()
    assert {"zope_interface-6.1/pyproject.toml", "zope_interface-6.1/zope_interface/__init__.py"} <= set(
        names
    )
    assert pkg_info == artefact.core_metadata
    metadata = Metadata.from_email(pkg_info)
    assert metadata.metadata_version == metadata_version
    assert metadata.dynamic == dynamic
    assert len(metadata.requires_dist or []) == requires_dist


def test_builds_are_byte_for_byte_reproducible() -> None:
    release = _release()
    assert _build_wheel(release, "py3-none-any").data == _build_wheel(release, "py3-none-any").data
    assert _build_sdist(release).data == _build_sdist(release).data
