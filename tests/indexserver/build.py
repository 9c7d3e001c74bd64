"""Building real, byte-for-byte reproducible wheels and sdists (and their core metadata) from a `Release`."""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import tarfile
import threading
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import tomli_w
from packaging.metadata import Metadata, RFC822Message
from packaging.requirements import Requirement
from packaging.tags import parse_tag

from tests.indexserver.names import dist_info, dist_name, import_name, sdist_filename, wheel_filename
from tests.indexserver.universe import Release, marker_extras

FIXED_ZIP_TIME = (2023, 1, 1, 0, 0, 0)
FIXED_EPOCH = 1672531200
"""2023-01-01T00:00:00Z: every archive member gets this time so hashes never change between runs."""

GENERATOR = "thoth-cli-test-index 1.0"


@dataclass(frozen=True)
class Artefact:
    """A built distribution file and the core metadata inside it."""

    filename: str
    data: bytes = field(repr=False)
    core_metadata: bytes = field(repr=False)
    """A wheel's `.dist-info/METADATA` or an sdist's `PKG-INFO`, byte for byte."""

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


_cache: dict[tuple[object, ...], Artefact] = {}
_cache_lock = threading.Lock()


def wheel(release: Release, tag: str) -> Artefact:
    """The release's wheel for `tag`, built once per test session."""
    return _cached(("wheel", tag, *_content_key(release)), lambda: _build_wheel(release, tag))


def sdist(release: Release) -> Artefact:
    """The release's sdist (its PKG-INFO shaped by `release.sdist_metadata`), built once per test session."""
    return _cached(("sdist", release.sdist_metadata, *_content_key(release)), lambda: _build_sdist(release))


def artefacts(release: Release) -> tuple[Artefact, ...]:
    """Every file of the release, wheels in the order given, then the sdist."""
    files = [wheel(release, tag) for tag in release.wheels]
    if release.sdist:
        files.append(sdist(release))
    return tuple(files)


def _content_key(release: Release) -> tuple[object, ...]:
    # Only what ends up inside the files: yanking or re-timing a release must not rebuild it.
    return (
        release.name,
        release.version,
        release.requires_dist,
        release.requires_python,
        release.provides_extra,
        release.summary,
    )


def _cached(key: tuple[object, ...], build: Callable[[], Artefact]) -> Artefact:
    with _cache_lock:
        found = _cache.get(key)
    if found is not None:
        return found
    built = build()
    with _cache_lock:
        return _cache.setdefault(key, built)


def core_metadata(release: Release, *, metadata_version: str, dynamic: Sequence[str] = ()) -> bytes:
    """Core metadata as build back-ends write it (canonical field names), checked by packaging."""
    message = RFC822Message()
    message["Metadata-Version"] = metadata_version
    message["Name"] = release.name
    message["Version"] = release.version
    message["Summary"] = release.summary
    if release.requires_python is not None:
        message["Requires-Python"] = release.requires_python
    for name in dynamic:
        message["Dynamic"] = name
    if "Provides-Extra" not in dynamic:
        for extra in release.provides_extra:
            message["Provides-Extra"] = extra
    if "Requires-Dist" not in dynamic:
        for requirement in release.requires_dist:
            message["Requires-Dist"] = requirement
    data = message.as_bytes()
    # Fails loudly if a test describes something no real back-end could write.
    Metadata.from_email(data, validate=True)
    return data


def _build_wheel(release: Release, tag: str) -> Artefact:
    info = dist_info(release.name, release.version)
    metadata = core_metadata(release, metadata_version="2.1")
    tags = sorted(str(one) for one in parse_tag(tag))
    purelib = all(one.endswith("-none-any") for one in tags)
    wheel_file = "".join(
        [
            "Wheel-Version: 1.0\n",
            f"Generator: {GENERATOR}\n",
            f"Root-Is-Purelib: {'true' if purelib else 'false'}\n",
            *(f"Tag: {one}\n" for one in tags),
        ]
    ).encode()
    members = [
        (f"{import_name(release.name)}/__init__.py", _module_source(release)),
        (f"{info}/METADATA", metadata),
        (f"{info}/WHEEL", wheel_file),
    ]
    record_path = f"{info}/RECORD"
    members.append((record_path, _record(members, record_path)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in members:
            member = zipfile.ZipInfo(path, date_time=FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 3  # unix, so that the permission bits below mean something
            member.external_attr = 0o100644 << 16
            archive.writestr(member, content)
    return Artefact(wheel_filename(release.name, release.version, tag), buffer.getvalue(), metadata)


def _record(members: Sequence[tuple[str, bytes]], record_path: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    for path, content in members:
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        writer.writerow([path, f"sha256={digest}", str(len(content))])
    writer.writerow([record_path, "", ""])
    return text.getvalue().encode()


def _module_source(release: Release) -> bytes:
    docstring = f'"""{release.name} {release.version}: a test package."""'
    return f'{docstring}\n\n__version__ = "{release.version}"\n'.encode()


def _build_sdist(release: Release) -> Artefact:
    base = f"{dist_name(release.name)}-{release.version}"
    files: list[tuple[str, bytes]] = []
    if release.sdist_metadata == "static":
        pkg_info = core_metadata(release, metadata_version="2.2")
        files.append(("pyproject.toml", _pyproject(release, static=True)))
    elif release.sdist_metadata == "dynamic":
        pkg_info = core_metadata(release, metadata_version="2.2", dynamic=("Requires-Dist", "Provides-Extra"))
        files.append(("pyproject.toml", _pyproject(release, static=False)))
        base_requirements, extras = _split_by_extra(release)
        files.append(("requirements.txt", _lines(base_requirements)))
        files.extend((f"requirements-{extra}.txt", _lines(reqs)) for extra, reqs in extras.items())
    else:
        pkg_info = core_metadata(release, metadata_version="2.1")
        files.append(("pyproject.toml", _build_system_only()))
        files.append(("setup.py", _setup_py(release)))
    files.insert(0, ("PKG-INFO", pkg_info))
    files.append((f"{import_name(release.name)}/__init__.py", _module_source(release)))
    buffer = io.BytesIO()
    # filename="" and a fixed mtime keep the gzip header free of anything that varies.
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=FIXED_EPOCH) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for path, content in files:
            member = tarfile.TarInfo(f"{base}/{path}")
            member.size = len(content)
            member.mtime = FIXED_EPOCH
            member.mode = 0o644
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            archive.addfile(member, io.BytesIO(content))
    return Artefact(sdist_filename(release.name, release.version), buffer.getvalue(), pkg_info)


def _split_by_extra(release: Release) -> tuple[list[str], dict[str, list[str]]]:
    """Requirements without an extra marker, and those of each extra (marker kept: setuptools accepts it)."""
    base: list[str] = []
    extras: dict[str, list[str]] = {extra: [] for extra in release.provides_extra}
    for text in release.requires_dist:
        named = marker_extras(Requirement(text))
        if not named:
            base.append(text)
        for extra in named:
            extras.setdefault(extra, []).append(text)
    return base, extras


def _lines(requirements: Sequence[str]) -> bytes:
    return "".join(f"{requirement}\n" for requirement in requirements).encode()


_BUILD_SYSTEM = {"requires": ["setuptools>=61"], "build-backend": "setuptools.build_meta"}


def _build_system_only() -> bytes:
    return tomli_w.dumps({"build-system": _BUILD_SYSTEM}).encode()


def _pyproject(release: Release, *, static: bool) -> bytes:
    project: dict[str, object] = {
        "name": release.name,
        "version": release.version,
        "description": release.summary,
    }
    if release.requires_python is not None:
        project["requires-python"] = release.requires_python
    tool: dict[str, object] = {"packages": [import_name(release.name)]}
    base, extras = _split_by_extra(release)
    if static:
        project["dependencies"] = base
        if extras:
            project["optional-dependencies"] = extras
    else:
        # The dependencies live in files only a build reads: the index cannot know them.
        project["dynamic"] = ["dependencies", "optional-dependencies"]
        dynamic: dict[str, object] = {"dependencies": {"file": ["requirements.txt"]}}
        if extras:
            dynamic["optional-dependencies"] = {
                extra: {"file": [f"requirements-{extra}.txt"]} for extra in extras
            }
        tool["dynamic"] = dynamic
    document = {"build-system": _BUILD_SYSTEM, "project": project, "tool": {"setuptools": tool}}
    return tomli_w.dumps(document).encode()


def _setup_py(release: Release) -> bytes:
    base, extras = _split_by_extra(release)
    arguments = [
        f"    name={release.name!r},",
        f"    version={release.version!r},",
        f"    description={release.summary!r},",
        f"    packages=[{import_name(release.name)!r}],",
        f"    install_requires={base!r},",
        f"    extras_require={extras!r},",
    ]
    if release.requires_python is not None:
        arguments.append(f"    python_requires={release.requires_python!r},")
    return ("from setuptools import setup\n\nsetup(\n" + "\n".join(arguments) + "\n)\n").encode()
