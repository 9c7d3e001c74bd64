"""Container images as discovery targets: a docker-archive or OCI image layout unpacked, nothing run.

`unpack_image` reads an image as `docker save` writes it (manifest.json, a config and
layer tars) or as an OCI image layout (oci-layout, index.json, blobs/), from a tar file
(possibly compressed) or a folder; it picks one image (by reference and platform), checks
every digest it is given, and applies the layers in order with their whiteouts into a
folder that a `RootFS` then reads. `open_image` does the same in a temporary folder that
is gone when the `with` block ends. Nothing is ever executed and nothing lands outside the
folder (see `layers`).
"""

from __future__ import annotations

import hashlib
import json
import platform as _host
import posixpath
import re
import shutil
import tarfile
import tempfile
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from thoth_cli.discovery.layers import (
    REFUSED_FIX,
    AppliedLayer,
    ImageError,
    SkippedMember,
    UnpackWriteError,
    apply_layer,
)
from thoth_cli.discovery.rootfs import RootFS
from thoth_cli.errors import UsageError
from thoth_cli.target.model import TargetError

__all__ = [
    "AppliedLayer",
    "ImageConfig",
    "ImageError",
    "ImagePlatform",
    "SkippedMember",
    "UnpackWriteError",
    "UnpackedImage",
    "open_image",
    "unpack_image",
]

DOCKER_ARCHIVE = "docker-archive"
OCI_LAYOUT = "oci-layout"

_INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
_MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)
_CONFIG_TYPES = frozenset(
    {
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.docker.container.image.v1+json",
    }
)
_REFERENCE_ANNOTATIONS = ("io.containerd.image.name", "org.opencontainers.image.ref.name")
_DIGEST = re.compile(r"(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})")
_BLOB_NAME = re.compile(r"blobs/(sha256|sha512)/([0-9a-f]{64}|[0-9a-f]{128})")
_LEGACY_CONFIG_NAME = re.compile(r"([0-9a-f]{64})\.json")
_MAX_JSON = 16 * 1024 * 1024  # manifests and configs are kilobytes; more is not one
_MAX_NESTING = 8  # image indexes inside image indexes; real ones nest once
_ARCHITECTURES = {
    "x86_64": "amd64",
    "x86-64": "amd64",
    "aarch64": "arm64",
    "armhf": "arm",
    "armel": "arm",
    "i386": "386",
    "i686": "386",
}
_DEFAULT_VARIANTS = {"arm64": "v8", "arm": "v7"}
_INCOMPLETE_FIX = "the archive is incomplete or damaged; export the image again (docker save, skopeo copy)"
_PLATFORM_FORMS = "write it as OS/ARCH[/VARIANT], e.g. linux/amd64, linux/arm64 or linux/arm/v7"


@dataclass(frozen=True)
class ImagePlatform:
    """A platform as OCI image indexes spell it: `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`."""

    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImagePlatform:
        """`OS/ARCH[/VARIANT]`; a `TargetError` (exit 2) for anything else."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise TargetError("not an image platform", text=text, fix=_PLATFORM_FORMS)
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    @classmethod
    def host(cls) -> ImagePlatform:
        """This machine's platform as images spell it; Linux, since that is what containers run."""
        machine = _host.machine().lower()
        arm = re.fullmatch(r"armv(\d+)\D*", machine)  # armv7l, armv6l: 32-bit ARM of that version
        if arm:
            return cls("linux", "arm", f"v{arm[1]}")
        return cls("linux", _ARCHITECTURES.get(machine, machine))

    def normalized(self) -> ImagePlatform:
        """Aliases resolved (`x86_64` is `amd64`) and the default variant spelt out (`arm64` is `v8`)."""
        architecture = _ARCHITECTURES.get(self.architecture.lower(), self.architecture.lower())
        variant = self.variant.lower() if self.variant else _DEFAULT_VARIANTS.get(architecture)
        return ImagePlatform(self.os.lower(), architecture, variant)

    def fit(self, offered: ImagePlatform) -> int:
        """How well an image built for `offered` serves a request for this one: 0 not, 1 yes, 2 exactly."""
        wanted, given = self.normalized(), offered.normalized()
        if (wanted.os, wanted.architecture) != (given.os, given.architecture):
            return 0
        if wanted.variant == given.variant:
            return 2
        # Without a variant the request takes any, the architecture's usual one first.
        return 1 if self.variant is None else 0

    def __str__(self) -> str:
        return "/".join(part for part in (self.os, self.architecture, self.variant) if part)


@dataclass(frozen=True)
class ImageConfig:
    """What the image's configuration says about its platform and the container it makes."""

    architecture: str | None = None
    os: str | None = None
    variant: str | None = None
    created: str | None = None
    """RFC 3339 time stamp, as written."""
    env: Mapping[str, str] = field(default_factory=dict)
    """The ENV lines (PATH, PYTHON_VERSION, CUDA_VERSION, NVIDIA_REQUIRE_CUDA...), in order."""
    labels: Mapping[str, str] = field(default_factory=dict)
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    working_dir: str | None = None
    user: str | None = None
    diff_ids: tuple[str, ...] = ()
    """sha256 digests of the uncompressed layers, bottom first."""

    @property
    def platform(self) -> ImagePlatform | None:
        if self.os is None or self.architecture is None:
            return None
        return ImagePlatform(self.os, self.architecture, self.variant)


@dataclass(frozen=True)
class UnpackedImage:
    """An image unpacked into `root`: what it is, where it came from, and what unpacking left out."""

    root: Path
    archive: Path
    format: str
    """`docker-archive` or `oci-layout`."""
    references: tuple[str, ...]
    """Names and tags the archive gives the image (`python:3.12-slim`, `docker.io/library/python:3.12`)."""
    digest: str | None
    """The image manifest's digest, when the archive has one (OCI layouts)."""
    platform: ImagePlatform | None
    config: ImageConfig
    layers: tuple[AppliedLayer, ...]
    notes: tuple[str, ...] = ()
    """What a user should hear about choices made (the platform picked, members skipped)."""

    @property
    def fs(self) -> RootFS:
        return RootFS(self.root)

    @property
    def layer_digests(self) -> tuple[str, ...]:
        """The layers' blob digests, bottom first, as computed while unpacking."""
        return tuple(layer.digest for layer in self.layers)

    @property
    def skipped(self) -> tuple[SkippedMember, ...]:
        return tuple(member for layer in self.layers for member in layer.skipped)

    @property
    def skipped_counts(self) -> dict[str, int]:
        """How many members were left out, by reason."""
        return dict(Counter(member.reason for member in self.skipped))


def unpack_image(
    archive: Path,
    dest: Path,
    *,
    platform: str | None = None,
    reference: str | None = None,
) -> UnpackedImage:
    """Unpack the image in `archive` (a tar file or a folder) into `dest`, which must be absent or empty.

    `reference` picks one image of an archive holding several (a tag such as
    `python:3.12` or an OCI `ref.name`); `platform` (`linux/arm64`) picks one build of a
    multi-platform image, by default this machine's (a note says so). On any error `dest`
    is left as it was found and the error raised: `ImageError` (exit 4) for an archive
    that is malformed, unsafe or fails its digests, `TargetError` (exit 2) for a platform
    that cannot be parsed, `UsageError` for a `dest` that is not empty, `UnpackWriteError`
    (exit 3) when `dest` cannot be written.
    """
    wanted = ImagePlatform.parse(platform) if platform is not None else None
    created = _prepare(dest)
    root = dest.resolve()
    try:
        with _open_archive(archive) as source:
            kind, images = _images(source)
            image, notes = _choose(images, source, kind, wanted=wanted, reference=reference)
            layers = tuple(_apply(source, root, layer) for layer in image.layers)
    except BaseException:
        _discard(root, created=created)
        raise
    result = UnpackedImage(
        root=root,
        archive=archive,
        format=kind,
        references=image.references,
        digest=image.digest,
        platform=image.platform,
        config=image.config,
        layers=layers,
    )
    if result.skipped:
        counts = ", ".join(f"{count} {reason}" for reason, count in sorted(result.skipped_counts.items()))
        notes.append(f"left out {len(result.skipped)} layer members: {counts}")
    return replace(result, notes=tuple(notes))


@contextmanager
def open_image(
    archive: Path,
    *,
    platform: str | None = None,
    reference: str | None = None,
    directory: Path | None = None,
) -> Iterator[UnpackedImage]:
    """The image unpacked into a temporary folder (inside `directory` if given), removed on exit."""
    with tempfile.TemporaryDirectory(prefix="thoth-image-", dir=directory) as temporary:
        yield unpack_image(archive, Path(temporary) / "root", platform=platform, reference=reference)


def _prepare(dest: Path) -> bool:
    """Make sure `dest` is an empty folder; True when it had to be created."""
    if dest.is_dir():
        if any(dest.iterdir()):
            raise UsageError(
                f"cannot unpack an image into {dest}: the folder is not empty",
                fix="unpack into a new or empty folder",
            )
        return False
    try:
        dest.mkdir(parents=True)
    except OSError as error:
        raise UnpackWriteError(dest, error.strerror or str(error)) from error
    return True


def _discard(root: Path, *, created: bool) -> None:
    """Leave `root` as it was found: gone if we created it, empty otherwise."""
    if created:
        shutil.rmtree(root, ignore_errors=True)
        return
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _apply(source: _Archive, root: Path, layer: _LayerRef) -> AppliedLayer:
    size = source.size(layer.member)
    if layer.size is not None and size != layer.size:
        raise ImageError(
            "layer size does not match the manifest",
            archive=source.path,
            member=layer.member,
            text=f"expected {layer.size} bytes, found {size}",
            fix=REFUSED_FIX,
        )
    with source.open(layer.member) as blob:
        return apply_layer(
            blob,
            root,
            archive=source.path,
            member=layer.member,
            size=size,
            digest=layer.digest,
            diff_id=layer.diff_id,
        )


# --- the archive: a tar or a folder --------------------------------------------------------


def _member_name(name: str) -> str | None:
    """A name inside the archive in one spelling (`./a//b` is `a/b`); None when it leaves the archive."""
    normal = posixpath.normpath(name.lstrip("/"))
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


class _Archive(ABC):
    """The files of an image archive, by their names inside it; reading never leaves the archive."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def missing(self, name: str) -> ImageError:
        return ImageError("the archive has no such file", archive=self.path, member=name, fix=_INCOMPLETE_FIX)

    def has(self, name: str) -> bool:
        try:
            self.size(name)
        except ImageError:
            return False
        return True

    @abstractmethod
    def size(self, name: str) -> int:
        """Bytes of the regular file `name`; ImageError when there is none."""

    @abstractmethod
    def open(self, name: str) -> IO[bytes]:
        """The regular file `name`, to read; ImageError when there is none."""

    @abstractmethod
    def close(self) -> None:
        """Release what the archive holds open."""

    def read(self, name: str, limit: int = _MAX_JSON) -> bytes:
        """The whole of a small file: a manifest, a configuration, an index."""
        try:
            with self.open(name) as handle:
                data = handle.read(limit + 1)
        except (OSError, tarfile.TarError, EOFError) as error:
            raise ImageError("cannot read", archive=self.path, member=name, text=str(error)) from error
        if len(data) > limit:
            raise ImageError(
                "too large for a manifest or a configuration",
                archive=self.path,
                member=name,
                text=f"more than {limit} bytes",
                fix=REFUSED_FIX,
            )
        return data


class _TarArchive(_Archive):
    """An image exported as one tar file, compressed or not (`docker save`, `skopeo copy oci-archive:`)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            # Open for the archive's life; _open_archive closes it.
            self.tar = tarfile.open(path, "r:*")  # noqa: SIM115
        except tarfile.ReadError as error:
            raise ImageError(
                "not a container image: neither a tar archive nor a folder",
                archive=path,
                fix="export the image with `docker save IMAGE -o FILE` or `skopeo copy ... oci-archive:FILE`",
            ) from error
        except (OSError, tarfile.TarError) as error:
            raise ImageError("cannot read the image", archive=path, text=str(error)) from error
        self.members: dict[str, tarfile.TarInfo] = {}
        try:
            for info in self.tar:
                name = _member_name(info.name)
                if name is not None:
                    # As when extracting, a later member of the same name wins.
                    self.members[name] = info
        except (OSError, tarfile.TarError, EOFError) as error:
            self.tar.close()
            raise ImageError("the archive is not a readable tar", archive=path, text=str(error)) from error

    def regular(self, name: str) -> tarfile.TarInfo:
        """The member holding `name`'s bytes, through links in the archive (old docker saves have them)."""
        info = self.members.get(name)
        for _ in range(40):
            if info is None or not (info.issym() or info.islnk()):
                break
            base = posixpath.dirname(info.name) if info.issym() else ""
            target = _member_name(posixpath.join(base, info.linkname))
            info = None if target is None else self.members.get(target)
        if info is None or not info.isreg():
            raise self.missing(name)
        return info

    def size(self, name: str) -> int:
        return self.regular(name).size

    def open(self, name: str) -> IO[bytes]:
        handle = self.tar.extractfile(self.regular(name))
        if handle is None:  # a regular member always has content
            raise self.missing(name)
        return handle

    def close(self) -> None:
        self.tar.close()


class _FolderArchive(_Archive):
    """An image layout in a folder (`skopeo copy ... oci:DIR`, an unpacked `docker save`)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.real = path.resolve()

    def file(self, name: str) -> Path:
        real = (self.real / name).resolve()
        if not real.is_relative_to(self.real) or not real.is_file():
            raise self.missing(name)
        return real

    def size(self, name: str) -> int:
        return self.file(name).stat().st_size

    def close(self) -> None:
        pass  # nothing held open: each file is opened by the caller

    def open(self, name: str) -> IO[bytes]:
        path = self.file(name)
        try:
            return path.open("rb")
        except OSError as error:
            raise ImageError("cannot read", archive=self.path, member=name, text=str(error)) from error


@contextmanager
def _open_archive(path: Path) -> Iterator[_Archive]:
    if not path.exists():
        raise ImageError("cannot read the image", archive=path, text="no such file or folder")
    source: _Archive = _FolderArchive(path) if path.is_dir() else _TarArchive(path)
    try:
        yield source
    finally:
        source.close()


# --- JSON documents: manifests, indexes, configurations -----------------------------------------


class _Document:
    """A JSON file of the archive, with typed access that names the file and key in errors."""

    def __init__(self, source: _Archive, member: str, digest: str | None = None) -> None:
        self.source = source
        self.member = member
        data = source.read(member)
        if digest is not None:
            algorithm = digest.partition(":")[0]
            found = f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"
            if found != digest:
                raise self.error("content does not match its digest", f"expected {digest}, found {found}")
        try:
            self.data: object = json.loads(data)
        except ValueError as error:
            raise self.error("not valid JSON", str(error)) from error

    def error(self, problem: str, text: str | None = None) -> ImageError:
        return ImageError(problem, archive=self.source.path, member=self.member, text=text, fix=REFUSED_FIX)

    def wrong(self, key: str, expected: str, value: object) -> ImageError:
        shown = json.dumps(value)
        return self.error(f"{key} must be {expected}", shown if len(shown) <= 80 else shown[:77] + "...")

    def mapping(self, value: object, key: str) -> Mapping[str, object]:
        if not isinstance(value, dict):
            raise self.wrong(key, "an object", value)
        return value

    def objects(self, value: object, key: str) -> list[Mapping[str, object]]:
        if not isinstance(value, list):
            raise self.wrong(key, "a list", value)
        return [self.mapping(item, f"{key}[{number}]") for number, item in enumerate(value)]

    def text(self, table: Mapping[str, object], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.wrong(f"{where}.{key}", "a string", value)
        return value

    def required_text(self, table: Mapping[str, object], key: str, where: str) -> str:
        value = self.text(table, key, where)
        if value is None:
            raise self.error(f"{where}.{key} is missing")
        return value

    def strings(self, table: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
        """A list of strings; Docker writes null for an empty one."""
        value = table.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.wrong(f"{where}.{key}", "a list of strings", value)
        return tuple(value)

    def string_map(self, table: Mapping[str, object], key: str, where: str) -> dict[str, str]:
        value = table.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
            raise self.wrong(f"{where}.{key}", "an object of strings", value)
        return dict(value)

    def descriptor(self, table: Mapping[str, object], where: str) -> _Descriptor:
        digest = self.required_text(table, "digest", where)
        if not _DIGEST.fullmatch(digest):
            raise self.error(f"{where}.digest is not a sha256 or sha512 digest", digest)
        size = table.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise self.wrong(f"{where}.size", "a number of bytes", size)
        platform = None
        if table.get("platform") is not None:
            entry = self.mapping(table["platform"], f"{where}.platform")
            platform = ImagePlatform(
                self.required_text(entry, "os", f"{where}.platform"),
                self.required_text(entry, "architecture", f"{where}.platform"),
                self.text(entry, "variant", f"{where}.platform"),
            )
        return _Descriptor(
            media_type=self.text(table, "mediaType", where),
            digest=digest,
            size=size,
            platform=platform,
            annotations=self.string_map(table, "annotations", where),
        )


@dataclass(frozen=True)
class _Descriptor:
    """An OCI content descriptor: what a blob is, its digest and size, and for manifests its platform."""

    media_type: str | None
    digest: str
    size: int | None
    platform: ImagePlatform | None
    annotations: Mapping[str, str]

    @property
    def member(self) -> str:
        algorithm, _, hexdigest = self.digest.partition(":")
        return f"blobs/{algorithm}/{hexdigest}"


def _blob(source: _Archive, descriptor: _Descriptor) -> _Document:
    if descriptor.size is not None:
        size = source.size(descriptor.member)
        if size != descriptor.size:
            raise ImageError(
                "size does not match its descriptor",
                archive=source.path,
                member=descriptor.member,
                text=f"expected {descriptor.size} bytes, found {size}",
                fix=REFUSED_FIX,
            )
    return _Document(source, descriptor.member, descriptor.digest)


def _config(document: _Document) -> ImageConfig:
    top = document.mapping(document.data, "the configuration")
    container = document.mapping(top.get("config") or {}, "config")
    rootfs = document.mapping(top.get("rootfs") or {}, "rootfs")
    env: dict[str, str] = {}
    for line in document.strings(container, "Env", "config"):
        name, _, value = line.partition("=")
        env[name] = value
    return ImageConfig(
        architecture=document.text(top, "architecture", "configuration"),
        os=document.text(top, "os", "configuration"),
        variant=document.text(top, "variant", "configuration"),
        created=document.text(top, "created", "configuration"),
        env=env,
        labels=document.string_map(container, "Labels", "config"),
        entrypoint=document.strings(container, "Entrypoint", "config"),
        cmd=document.strings(container, "Cmd", "config"),
        working_dir=document.text(container, "WorkingDir", "config") or None,
        user=document.text(container, "User", "config") or None,
        diff_ids=document.strings(rootfs, "diff_ids", "rootfs"),
    )


# --- the images an archive holds ------------------------------------------------------------------


@dataclass(frozen=True)
class _LayerRef:
    """A layer to apply: its name in the archive and what the manifest and configuration say of it."""

    member: str
    size: int | None
    digest: str | None
    diff_id: str | None


@dataclass(frozen=True)
class _Image:
    """One image (one platform's build) an archive holds; `group` tells which of the archive's entries."""

    group: int
    references: tuple[str, ...]
    platform: ImagePlatform | None
    digest: str | None
    config_member: str
    config: ImageConfig
    layers: tuple[_LayerRef, ...]

    @property
    def label(self) -> str:
        return self.references[0] if self.references else (self.digest or self.config_member)


def _images(source: _Archive) -> tuple[str, list[_Image]]:
    """The archive's format and every image in it; an OCI layout wins over manifest.json when both exist."""
    if source.has("oci-layout") and source.has("index.json"):
        images = _oci_images(source)
        if source.has("manifest.json"):
            # Docker 25+ writes both; its manifest.json keeps the tags users know the image by.
            tags = {image.config_member: image.references for image in _docker_images(source)}
            images = [
                replace(image, references=_unique(image.references + tags.get(image.config_member, ())))
                for image in images
            ]
        return OCI_LAYOUT, images
    if source.has("manifest.json"):
        return DOCKER_ARCHIVE, _docker_images(source)
    raise ImageError(
        "not a container image: no manifest.json (docker-archive) nor oci-layout and index.json (OCI layout)",
        archive=source.path,
        fix="export the image with `docker save IMAGE -o FILE` or `skopeo copy ... oci-archive:FILE`",
    )


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _docker_images(source: _Archive) -> list[_Image]:
    manifest = _Document(source, "manifest.json")
    images: list[_Image] = []
    for group, entry in enumerate(manifest.objects(manifest.data, "manifest.json")):
        where = f"[{group}]"
        config_member = _named(manifest, manifest.required_text(entry, "Config", where), f"{where}.Config")
        config = _config(_Document(source, config_member, _digest_in_name(config_member)))
        members = [
            _named(manifest, name, f"{where}.Layers") for name in manifest.strings(entry, "Layers", where)
        ]
        diff_ids = _diff_ids(manifest, config, len(members))
        layers = tuple(
            _LayerRef(member, None, _digest_in_name(member), diff_id)
            for member, diff_id in zip(members, diff_ids, strict=True)
        )
        references = manifest.strings(entry, "RepoTags", where)
        images.append(_Image(group, references, config.platform, None, config_member, config, layers))
    return images


def _named(document: _Document, name: str, key: str) -> str:
    member = _member_name(name)
    if member is None:
        raise document.error(f"{key} names a file outside the archive", name)
    return member


def _digest_in_name(member: str) -> str | None:
    """The digest a content-addressed name carries: `blobs/sha256/<hex>`, or `<hex>.json` for old configs."""
    blob = _BLOB_NAME.fullmatch(member)
    if blob:
        return f"{blob[1]}:{blob[2]}"
    legacy = _LEGACY_CONFIG_NAME.fullmatch(member)
    return f"sha256:{legacy[1]}" if legacy else None


def _diff_ids(document: _Document, config: ImageConfig, layers: int) -> tuple[str | None, ...]:
    if not config.diff_ids:
        return (None,) * layers
    if len(config.diff_ids) != layers:
        raise document.error(
            "the manifest and the configuration disagree on the number of layers",
            f"{layers} layers, {len(config.diff_ids)} diff_ids",
        )
    for diff_id in config.diff_ids:
        if not _DIGEST.fullmatch(diff_id):
            raise document.error("rootfs.diff_ids holds something other than a digest", diff_id)
    return config.diff_ids


def _oci_images(source: _Archive) -> list[_Image]:
    index = _Document(source, "index.json")
    top = index.mapping(index.data, "index.json")
    images: list[_Image] = []
    for group, entry in enumerate(index.objects(top.get("manifests"), "manifests")):
        descriptor = index.descriptor(entry, f"manifests[{group}]")
        references = _unique(
            tuple(
                descriptor.annotations[key] for key in _REFERENCE_ANNOTATIONS if key in descriptor.annotations
            )
        )
        _walk(source, descriptor, group, references, images, depth=0)
    return images


def _walk(
    source: _Archive,
    descriptor: _Descriptor,
    group: int,
    references: tuple[str, ...],
    images: list[_Image],
    *,
    depth: int,
) -> None:
    """Collect the image manifests under `descriptor`, through nested image indexes."""
    platform = descriptor.platform
    if (platform is not None and platform.os == "unknown") or descriptor.annotations.get(
        "vnd.docker.reference.type"
    ) == "attestation-manifest":
        return  # build attestations (SBOM, provenance) ride along in indexes; they are no image
    document = _blob(source, descriptor)
    table = document.mapping(document.data, descriptor.member)
    media_type = descriptor.media_type or document.text(table, "mediaType", "manifest")
    if media_type in _INDEX_TYPES or (media_type is None and "manifests" in table):
        if depth >= _MAX_NESTING:
            raise document.error("image indexes nest too deep", f"more than {_MAX_NESTING} levels")
        for number, entry in enumerate(document.objects(table.get("manifests"), "manifests")):
            child = document.descriptor(entry, f"manifests[{number}]")
            _walk(source, child, group, references, images, depth=depth + 1)
    elif media_type in _MANIFEST_TYPES or (media_type is None and "layers" in table):
        image = _oci_image(
            source, manifest=document, table=table, descriptor=descriptor, group=group, references=references
        )
        if image is not None:
            images.append(image)
    # Anything else (signatures, Helm charts, other artifacts) is not an image to unpack.


def _oci_image(
    source: _Archive,
    *,
    manifest: _Document,
    table: Mapping[str, object],
    descriptor: _Descriptor,
    group: int,
    references: tuple[str, ...],
) -> _Image | None:
    config_descriptor = manifest.descriptor(manifest.mapping(table.get("config"), "config"), "config")
    if config_descriptor.media_type is not None and config_descriptor.media_type not in _CONFIG_TYPES:
        return None  # an artifact stored as a manifest, not a container image
    config = _config(_blob(source, config_descriptor))
    descriptors = [
        manifest.descriptor(entry, f"layers[{number}]")
        for number, entry in enumerate(manifest.objects(table.get("layers"), "layers"))
    ]
    diff_ids = _diff_ids(manifest, config, len(descriptors))
    layers = tuple(
        _LayerRef(layer.member, layer.size, layer.digest, diff_id)
        for layer, diff_id in zip(descriptors, diff_ids, strict=True)
    )
    platform = descriptor.platform or config.platform
    return _Image(group, references, platform, descriptor.digest, config_descriptor.member, config, layers)


# --- choosing one image -----------------------------------------------------------------------------


def _choose(
    images: list[_Image],
    source: _Archive,
    kind: str,
    *,
    wanted: ImagePlatform | None,
    reference: str | None,
) -> tuple[_Image, list[str]]:
    """The image to unpack, by reference then platform, and notes on choices the user did not make."""
    member = "index.json" if kind == OCI_LAYOUT else "manifest.json"

    def error(problem: str, text: str | None = None, fix: str | None = None) -> ImageError:
        return ImageError(problem, archive=source.path, member=member, text=text, fix=fix)

    groups: dict[frozenset[str], list[_Image]] = {}
    for group in sorted({image.group for image in images}):
        builds = [image for image in images if image.group == group]
        # The same image listed twice (two tags in one layout) is one image with both names.
        key = frozenset(image.config_member for image in builds)
        if key in groups:
            extra = builds[0].references
            groups[key] = [
                replace(image, references=_unique(image.references + extra)) for image in groups[key]
            ]
        else:
            groups[key] = builds
    candidates = list(groups.values())
    if not candidates:
        raise error("the archive holds no container image", fix=_INCOMPLETE_FIX)
    labels = ", ".join(builds[0].label for builds in candidates)
    if reference is not None:
        candidates = [
            builds for builds in candidates if any(_names(reference, name) for name in builds[0].references)
        ]
        if not candidates:
            raise error(
                "no image with this reference", reference, fix=f"name one the archive holds: {labels}"
            )
    if len(candidates) > 1:
        raise error(
            "the archive holds several images", labels, fix="name the one to analyse by its reference"
        )
    builds = candidates[0]
    platforms = ", ".join(str(image.platform or "unknown platform") for image in builds)
    if len(builds) == 1 and wanted is None:
        return builds[0], []
    target = wanted or ImagePlatform.host()
    fits = [(target.fit(image.platform), -number) for number, image in enumerate(builds) if image.platform]
    best = max(fits, default=(0, 0))
    if best[0] == 0:
        problem = "no image for this platform" if wanted else "no image for this machine's platform"
        raise error(problem, str(target), fix=f"the image is built for {platforms}: choose one of these")
    chosen = builds[-best[1]]
    notes = (
        []
        if wanted
        else [f"the image is built for {platforms}; chose {chosen.platform}, this machine's platform"]
    )
    return chosen, notes


def _names(wanted: str, reference: str) -> bool:
    """Whether `wanted` names `reference`: in full, or without its registry (`python:3.12`)."""
    return reference == wanted or reference.endswith("/" + wanted)
