"""--allow-build: an sdist's dynamic dependencies are learnt by running its metadata hook."""

from __future__ import annotations

import io
import os
import tarfile
import textwrap
from collections.abc import Iterable

import pytest

from tests.indexserver import IndexServerFactory, Universe
from tests.resolver.conftest import Resolve, pins
from thoth_cli.index.model import MetadataSource
from thoth_cli.resolver.build import BuildFailedError, build_metadata
from thoth_cli.resolver.errors import MetadataBuildRequiredError
from thoth_cli.resolver.policy import ResolutionPolicy

# A PEP 517 backend inside the sdist itself, with no build requirements: building it needs
# nothing from an index, so the test stays hermetic.
BACKEND = textwrap.dedent(
    """
    import os

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        folder = os.path.join(metadata_directory, "dyn-1.0.dist-info")
        os.makedirs(folder)
        with open(os.path.join(folder, "METADATA"), "w") as handle:
            handle.write({metadata!r})
        return "dyn-1.0.dist-info"

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        raise RuntimeError("only the metadata hook may run")
    """
)
PYPROJECT = textwrap.dedent(
    """
    [build-system]
    requires = []
    build-backend = "backend"
    backend-path = ["."]
    """
)
PKG_INFO = "Metadata-Version: 2.2\nName: dyn\nVersion: 1.0\nDynamic: Requires-Dist\n"


def sdist(metadata: str | bytes, *, backend: str = BACKEND, pyproject: str = PYPROJECT) -> bytes:
    members = {
        "dyn-1.0/PKG-INFO": PKG_INFO,
        "dyn-1.0/pyproject.toml": pyproject,
        "dyn-1.0/backend.py": backend.format(metadata=metadata),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


METADATA = "Metadata-Version: 2.1\nName: dyn\nVersion: 1.0\nRequires-Dist: dep>=2\n"

BUILD_FIX = (
    "  fix: require a version of the package that publishes wheels, or install its build "
    "dependencies' system requirements"
)


def test_build_metadata_runs_only_the_metadata_hook() -> None:
    metadata = build_metadata(sdist(METADATA), "dyn-1.0.tar.gz")
    assert (metadata.name, str(metadata.version), metadata.requires_dist) == ("dyn", "1.0", ("dep>=2",))
    assert metadata.source is MetadataSource.BUILD


def test_a_failing_backend_is_a_build_error_naming_the_file() -> None:
    broken = (
        "def prepare_metadata_for_build_wheel(directory, config_settings=None):\n    raise ValueError('no')\n"
    )
    with pytest.raises(BuildFailedError) as caught:
        build_metadata(sdist(METADATA, backend=broken + "_ = {metadata!r}\n"), "dyn-1.0.tar.gz")
    assert str(caught.value) == (
        "building the metadata of dyn-1.0.tar.gz failed: "
        f"Backend subprocess exited when trying to invoke prepare_metadata_for_build_wheel\n{BUILD_FIX}"
    )


def test_an_archive_member_outside_its_folder_is_refused() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("../evil.py")
        info.size = 0
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(BuildFailedError) as caught:
        build_metadata(buffer.getvalue(), "dyn-1.0.tar.gz")
    assert "unsafe archive member" in str(caught.value)


def test_resolution_builds_only_when_allowed(resolve_in: Resolve) -> None:
    universe = Universe()
    universe.add_file("dyn", "dyn-1.0.tar.gz", sdist(METADATA))
    universe.add_many("dep", ["1.0", "2.0"])
    with pytest.raises(MetadataBuildRequiredError):
        resolve_in(universe, ["dyn"])
    resolution = resolve_in(universe, ["dyn"], policy=ResolutionPolicy(allow_build=True))
    assert pins(resolution) == {"dep": "2.0", "dyn": "1.0"}


@pytest.fixture
def pip_sees_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """pip in the build environment reads no configuration file and no extra location of this machine."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for name in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)


NEEDS_A_MISSING_BACKEND = PYPROJECT.replace("requires = []", 'requires = ["no-such-backend-xyz"]')


@pytest.mark.usefixtures("pip_sees_only")
def test_build_requirements_the_index_lacks_are_a_build_error(index_server: IndexServerFactory) -> None:
    server = index_server(Universe.parse("other 1.0"))
    with pytest.raises(BuildFailedError) as caught:
        build_metadata(
            sdist(METADATA, pyproject=NEEDS_A_MISSING_BACKEND), "dyn-1.0.tar.gz", index_url=server.url("pypi")
        )
    assert str(caught.value) == (
        "building the metadata of dyn-1.0.tar.gz failed: its build requirements could not be installed: "
        f"ERROR: No matching distribution found for no-such-backend-xyz\n{BUILD_FIX}"
    )
    assert caught.value.exit_code == 3


def test_a_backend_that_writes_no_metadata_file_is_a_build_error() -> None:
    empty = (
        "import os\n"
        "def prepare_metadata_for_build_wheel(directory, config_settings=None):\n"
        "    os.makedirs(os.path.join(directory, 'dyn-1.0.dist-info'))\n"
        "    return 'dyn-1.0.dist-info'\n"
        "_ = {metadata!r}\n"
    )
    with pytest.raises(BuildFailedError) as caught:
        build_metadata(sdist(METADATA, backend=empty), "dyn-1.0.tar.gz")
    assert str(caught.value) == (
        "building the metadata of dyn-1.0.tar.gz failed: "
        "the backend wrote no METADATA in dyn-1.0.dist-info\n"
        f"{BUILD_FIX}"
    )


# Pythons without tarfile's extraction filters (before 3.10.12 and 3.11.4)


@pytest.fixture
def tarfile_without_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    """tarfile as those Pythons have it: no `data_filter`, and no `filter` argument to extractall."""
    extract_all = tarfile.TarFile.extractall

    def extractall(
        self: tarfile.TarFile,
        path: str | os.PathLike[str] = ".",
        members: Iterable[tarfile.TarInfo] | None = None,
        *,
        numeric_owner: bool = False,
    ) -> None:
        extract_all(self, path, members, numeric_owner=numeric_owner, filter="fully_trusted")

    monkeypatch.setattr(tarfile.TarFile, "extractall", extractall)
    monkeypatch.delattr(tarfile, "data_filter")


@pytest.mark.usefixtures("tarfile_without_filters")
def test_without_filters_a_plain_sdist_is_unpacked_and_built() -> None:
    metadata = build_metadata(sdist(METADATA), "dyn-1.0.tar.gz")
    assert metadata.requires_dist == ("dep>=2",)


def _tar(*members: tarfile.TarInfo) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(b"") if member.isfile() else None)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.usefixtures("tarfile_without_filters")
@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (_member("../evil.py"), "unsafe archive member: '../evil.py' escapes its folder"),
        (
            _member("dyn-1.0/../../evil.py"),
            "unsafe archive member: 'dyn-1.0/../../evil.py' escapes its folder",
        ),
        (_member("/tmp/evil.py"), "unsafe archive member: '/tmp/evil.py' escapes its folder"),
        (
            _member("dyn-1.0/setup.py", tarfile.SYMTYPE, "/etc/passwd"),
            "unsafe archive member: 'dyn-1.0/setup.py' is a link or a special file, which this Python cannot "
            "unpack safely (Python 3.10.12 or 3.11.4 and later can)",
        ),
        (
            _member("dyn-1.0/fifo", tarfile.FIFOTYPE),
            "unsafe archive member: 'dyn-1.0/fifo' is a link or a special file, which this Python cannot "
            "unpack safely (Python 3.10.12 or 3.11.4 and later can)",
        ),
    ],
)
def test_without_filters_only_plain_files_inside_the_folder_are_unpacked(
    member: tarfile.TarInfo, reason: str
) -> None:
    with pytest.raises(BuildFailedError) as caught:
        build_metadata(_tar(_member("dyn-1.0/PKG-INFO"), member), "dyn-1.0.tar.gz")
    assert caught.value.reason == reason


def test_metadata_whose_dependencies_cannot_be_read_is_a_build_error() -> None:
    # A Requires-Dist that is not UTF-8: parse_email sets the field aside instead of reading it.
    raw_backend = BACKEND.replace(
        'open(os.path.join(folder, "METADATA"), "w")', 'open(os.path.join(folder, "METADATA"), "wb")'
    )
    raw = b"Metadata-Version: 2.1\nName: dyn\nVersion: 1.0\nRequires-Dist: d\xffep>=2\n"
    with pytest.raises(BuildFailedError) as caught:
        build_metadata(sdist(raw, backend=raw_backend), "dyn-1.0.tar.gz")
    assert str(caught.value) == (
        "building the metadata of dyn-1.0.tar.gz failed: the backend wrote metadata whose Requires-Dist "
        "cannot be read\n"
        "  fix: require a version of the package that publishes wheels, or install its build "
        "dependencies' system requirements"
    )
