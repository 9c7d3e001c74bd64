"""Releases the metadata makes unusable are skipped with a reason; index pins are kept strictly."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from tests.indexserver import IndexServerFactory, Universe
from tests.resolver.conftest import Resolve, pins, project_of
from thoth_cli.errors import ExitCode, ManifestError, ThothError
from thoth_cli.index.cache import Cache
from thoth_cli.index.client import IndexClient
from thoth_cli.index.http import HttpClient, HttpSettings
from thoth_cli.index.model import IndexSpec
from thoth_cli.project.model import MAIN, Group, GroupKind
from thoth_cli.resolver.errors import DirectDependencyError
from thoth_cli.resolver.resolve import ResolveRequest, resolve
from thoth_cli.target import Target

HEADER = (
    "no set of versions satisfies the requirements on CPython 3.12.0 (from 3.12) on manylinux_2_28_x86_64:\n"
)


def wheel_with(name: str, version: str, metadata: bytes) -> bytes:
    """A hand-made wheel, for metadata the test index would not build (it validates its input)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", metadata)
        archive.writestr(
            f"{name}-{version}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        archive.writestr(f"{name}-{version}.dist-info/RECORD", "")
    return buffer.getvalue()


def add_raw(universe: Universe, name: str, version: str, metadata: str) -> None:
    data = metadata.encode()
    universe.add_file(
        name, f"{name}-{version}-py3-none-any.whl", wheel_with(name, version, data), metadata=data
    )


def test_requires_python_in_the_metadata_alone_is_honoured(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("a", "1.0")
    # The page says nothing about requires-python (as many private indexes); the metadata does.
    add_raw(universe, "a", "2.0", "Metadata-Version: 2.1\nName: a\nVersion: 2.0\nRequires-Python: >=3.13\n")
    assert pins(resolve_in(universe, ["a"], python="3.12")) == {"a": "1.0"}
    assert pins(resolve_in(universe, ["a"], python="3.13")) == {"a": "2.0"}


def test_when_every_release_is_unusable_the_reason_is_given(resolve_in: Resolve) -> None:
    universe = Universe()
    add_raw(universe, "a", "2.0", "Metadata-Version: 2.1\nName: a\nVersion: 2.0\nRequires-Python: >=3.13\n")
    with pytest.raises(ThothError) as caught:
        resolve_in(universe, ["a"], python="3.12")
    assert str(caught.value) == (
        HEADER + "no release of a can be installed on this target: every release requires Python >=3.13 "
        "(its metadata says)\n"
        "  fix: choose a target where it is available, or a different version of the package that requires it"
    )


def test_a_release_with_a_broken_dependency_is_skipped_not_fatal(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add_many("c", ["1.0", "2.0"])
    universe.add("a", "0.9")
    add_raw(
        universe, "a", "1.0", "Metadata-Version: 2.1\nName: a\nVersion: 1.0\nRequires-Dist: d (>=1.0.*)\n"
    )
    universe.add("a", "2.0", requires_dist=["c>=2"])
    # a 2.0 clashes with c<2; a 1.0 cannot be read; a 0.9 fits, as pip would find.
    assert pins(resolve_in(universe, ["a", "c<2"])) == {"a": "0.9", "c": "1.0"}


def test_a_dependency_marker_that_cannot_be_evaluated_skips_the_release(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add("a", "1.0")
    add_raw(
        universe,
        "a",
        "2.0",
        'Metadata-Version: 2.1\nName: a\nVersion: 2.0\nRequires-Dist: b; python_version ~= "3"\n',
    )
    universe.add("b", "1.0")
    assert pins(resolve_in(universe, ["a"])) == {"a": "1.0"}


def test_a_manifest_marker_that_cannot_be_evaluated_is_the_manifests_error(
    resolve_in: Resolve, tmp_path: Path
) -> None:
    with pytest.raises(ManifestError) as caught:
        resolve_in("a 1.0", ['a; python_version ~= "3"'])
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    assert str(caught.value).startswith(
        f"{tmp_path / 'requirements.in'}:1: the marker of a cannot be evaluated"
    )


def test_a_transitive_direct_reference_is_refused_not_replaced(resolve_in: Resolve) -> None:
    universe = Universe()
    add_raw(
        universe,
        "a",
        "1.0",
        "Metadata-Version: 2.1\nName: a\nVersion: 1.0\nRequires-Dist: b @ https://example.invalid/b-9.9-py3-none-any.whl\n",
    )
    universe.add("b", "1.0")
    with pytest.raises(DirectDependencyError) as caught:
        resolve_in(universe, ["a"])
    assert str(caught.value) == (
        "a 1.0 depends on a direct reference, 'b @ https://example.invalid/b-9.9-py3-none-any.whl': thoth "
        "locks packages from indexes and will not replace it silently with a release of the same name\n"
        "  fix: require another version of a, or publish that dependency to an index"
    )


def test_extras_requested_only_by_a_dev_group_stay_in_that_group(resolve_in: Resolve, tmp_path: Path) -> None:
    universe = Universe()
    universe.add("a", "1.0", requires_dist=['b; extra == "x"'], provides_extra=["x"])
    universe.add("b", "1.0")
    dev = Group(GroupKind.GROUP, "dev")
    project = project_of(["a"], tmp_path / "requirements.in", groups={dev: ["a[x]"]})
    stack = resolve_in(universe, project, groups=frozenset({MAIN, dev})).stack
    assert stack.get("a").groups == frozenset({MAIN, dev})  # type: ignore[union-attr]
    assert stack.get("b").groups == frozenset({dev})  # type: ignore[union-attr]


def test_hash_options_limit_the_files_that_may_be_used(
    resolve_in: Resolve, index_server: IndexServerFactory
) -> None:
    # Builds are deterministic: this server's file has the hash the resolving one will serve.
    allowed = index_server("lib 1.0 2.0").sha256("pypi", "lib-1.0-py3-none-any.whl")
    project = project_of(["lib"], Path("/nonexistent/requirements.in"))
    project = replace(
        project, requirements=(replace(project.requirements[0], hashes=(f"sha256:{allowed}",)),)
    )
    resolution = resolve_in(Universe.parse("lib 1.0 2.0"), project)
    assert pins(resolution) == {"lib": "1.0"}
    assert [f.filename for f in resolution.stack.get("lib").files] == ["lib-1.0-py3-none-any.whl"]  # type: ignore[union-attr]


def _request(project: object, indexes: tuple[IndexSpec, ...], groups: frozenset[Group]) -> ResolveRequest:
    return ResolveRequest(
        project=project,  # type: ignore[arg-type]
        target=Target.from_options("3.12", "manylinux_2_28_x86_64"),
        indexes=indexes,
        groups=groups,
    )


def test_a_name_pinned_to_a_private_index_is_never_asked_of_another(
    index_server: IndexServerFactory, tmp_path: Path
) -> None:
    server = index_server(
        {"pypi": Universe.parse("idna 3.6"), "private": Universe.parse("secret-internal 1.0: idna")}
    )
    indexes = (
        IndexSpec("pypi", server.url("pypi")),
        IndexSpec("private", server.url("private"), explicit=True),
    )
    project = project_of(["secret-internal"], tmp_path / "requirements.in")
    project = replace(project, requirements=tuple(replace(r, index="private") for r in project.requirements))
    with (
        HttpClient(HttpSettings(retries=1), Cache(tmp_path / "cache")) as http,
        IndexClient(indexes, http) as client,
    ):
        resolution = resolve(_request(project, indexes, frozenset({MAIN})), client)
    assert pins(resolution) == {"idna": "3.6", "secret-internal": "1.0"}
    assert server.requests_to("/pypi/simple/secret-internal/") == []


def test_one_name_pinned_to_two_indexes_is_refused(index_server: IndexServerFactory, tmp_path: Path) -> None:
    server = index_server({"pypi": Universe.parse("a 1.0"), "private": Universe.parse("a 2.0")})
    indexes = (IndexSpec("pypi", server.url("pypi")), IndexSpec("private", server.url("private")))
    dev = Group(GroupKind.GROUP, "dev")
    project = project_of(["a"], tmp_path / "requirements.in", groups={dev: ["a"]})
    project = replace(
        project,
        requirements=(
            replace(project.requirements[0], index="pypi"),
            replace(project.requirements[1], index="private"),
        ),
    )
    with (
        HttpClient(HttpSettings(retries=1), Cache(tmp_path / "cache")) as http,
        IndexClient(indexes, http) as client,
        pytest.raises(ManifestError) as caught,
    ):
        resolve(_request(project, indexes, frozenset({MAIN, dev})), client)
    assert str(caught.value) == (
        f"{tmp_path / 'requirements.in'}:1: a is pinned to index 'private' here and to 'pypi' "
        "in group default: a\n"
        "  fix: pin the package to one index in every group"
    )
