"""Builds real container image archives for tests: layer tars, configurations, docker-archive and OCI layouts.

Layers are written header by header with `tarfile.TarInfo`, so a test can put in them what
no well-behaved tool would: `../` names, absolute paths, sizes larger than the data.

    base = layer([folder("etc"), file("etc/hostname", "box\\n")])
    top = layer([whiteout("etc/hostname")], compression="gzip")
    write_docker_archive(tmp_path / "image.tar", [DockerImage([base, top], config([base, top]), ("app:1",))])

    oci = OciLayout()
    amd = oci.image([base], config([base]), platform="linux/amd64")
    arm = oci.image([top], config([top], architecture="arm64"), platform="linux/arm64/v8")
    oci.write(tmp_path / "oci.tar", [tagged(oci.index([amd, arm]), "app:1")])
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


@dataclass(frozen=True)
class Member:
    """One tar member; `size` overrides the size its header declares (for lying archives)."""

    name: str
    type: bytes = tarfile.REGTYPE
    data: bytes = b""
    target: str = ""
    mode: int = 0o644
    size: int | None = None


def file(name: str, data: bytes | str = b"", mode: int = 0o644) -> Member:
    return Member(name, tarfile.REGTYPE, data.encode() if isinstance(data, str) else data, mode=mode)


def folder(name: str, mode: int = 0o755) -> Member:
    return Member(name, tarfile.DIRTYPE, mode=mode)


def symlink(name: str, target: str) -> Member:
    return Member(name, tarfile.SYMTYPE, target=target, mode=0o777)


def hardlink(name: str, target: str) -> Member:
    return Member(name, tarfile.LNKTYPE, target=target)


def fifo(name: str) -> Member:
    return Member(name, tarfile.FIFOTYPE)


def device(name: str) -> Member:
    return Member(name, tarfile.CHRTYPE, mode=0o666)


def whiteout(path: str) -> Member:
    """Deletes `path` from the layers below."""
    parent, _, name = path.rpartition("/")
    return file(f"{parent}/.wh.{name}" if parent else f".wh.{name}")


def opaque(path: str) -> Member:
    """Hides what the layers below put in folder `path`."""
    return file(f"{path}/.wh..wh..opq")


def tar_bytes(members: Iterable[Member]) -> bytes:
    out = io.BytesIO()
    for member in members:
        info = tarfile.TarInfo(member.name)
        info.type = member.type
        info.mode = member.mode
        info.mtime = 1_700_000_000
        info.linkname = member.target
        info.size = len(member.data) if member.size is None else member.size
        out.write(info.tobuf(tarfile.PAX_FORMAT))
        if member.type in (tarfile.REGTYPE, tarfile.AREGTYPE):
            out.write(member.data)
            out.write(b"\0" * (-len(member.data) % tarfile.BLOCKSIZE))
    out.write(b"\0" * (2 * tarfile.BLOCKSIZE))
    return out.getvalue()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Layer:
    """A layer: its tar, and the blob as stored (compressed or not)."""

    tar: bytes
    blob: bytes
    media_type: str

    @property
    def diff_id(self) -> str:
        return sha256(self.tar)

    @property
    def digest(self) -> str:
        return sha256(self.blob)


def layer(members: Iterable[Member], *, compression: str = "none") -> Layer:
    """A layer of `members`, stored as is or gzip-compressed (`layer_from_blob` for anything else)."""
    tar = tar_bytes(members)
    if compression == "gzip":
        return Layer(tar, gzip.compress(tar, mtime=0), OCI_LAYER + "+gzip")
    if compression == "none":
        return Layer(tar, tar, OCI_LAYER)
    raise ValueError(f"unknown compression {compression!r}")


def layer_from_blob(blob: bytes, *, tar: bytes, media_type: str = OCI_LAYER + "+zstd") -> Layer:
    """A layer whose stored blob is given as is (a zstd frame, a damaged blob)."""
    return Layer(tar, blob, media_type)


def config(
    layers: Sequence[Layer],
    *,
    architecture: str = "amd64",
    os: str = "linux",
    variant: str | None = None,
    env: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    entrypoint: Sequence[str] | None = None,
    cmd: Sequence[str] | None = None,
    created: str = "2024-01-02T03:04:05.123456789Z",
) -> dict[str, Any]:
    """An image configuration as Docker writes it (null for what is unset)."""
    result: dict[str, Any] = {
        "architecture": architecture,
        "os": os,
        "created": created,
        "config": {
            "Env": list(env) or None,
            "Labels": dict(labels) if labels else None,
            "Entrypoint": list(entrypoint) if entrypoint else None,
            "Cmd": list(cmd) if cmd else None,
            "WorkingDir": "",
        },
        "rootfs": {"type": "layers", "diff_ids": [item.diff_id for item in layers]},
        "history": [{"created_by": "test"} for _ in layers],
    }
    if variant:
        result["variant"] = variant
    return result


def _json(value: object) -> bytes:
    return json.dumps(value, indent=None, separators=(",", ":")).encode()


def write_tar(path: Path, files: Mapping[str, bytes], *, compress: bool = False) -> Path:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    data = out.getvalue()
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


def _write_folder(path: Path, files: Mapping[str, bytes]) -> Path:
    for name, data in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path


@dataclass(frozen=True)
class DockerImage:
    layers: Sequence[Layer]
    config: Mapping[str, Any]
    tags: Sequence[str] = ()


def docker_archive_files(images: Sequence[DockerImage], *, legacy: bool = True) -> dict[str, bytes]:
    """The files `docker save` writes: `<id>/layer.tar` and `<hex>.json`, or Docker 25+'s `blobs/sha256/`."""
    files: dict[str, bytes] = {}
    entries = []
    for image in images:
        config_bytes = _json(image.config)
        config_hex = hashlib.sha256(config_bytes).hexdigest()
        config_name = f"{config_hex}.json" if legacy else f"blobs/sha256/{config_hex}"
        files[config_name] = config_bytes
        names = []
        for number, item in enumerate(image.layers):
            hexdigest = item.digest.partition(":")[2]
            if legacy:
                layer_id = hashlib.sha256(f"{config_hex}{number}".encode()).hexdigest()
                name = f"{layer_id}/layer.tar"
                files[f"{layer_id}/VERSION"] = b"1.0"
            else:
                name = f"blobs/sha256/{hexdigest}"
            files[name] = item.blob
            names.append(name)
        entries.append({"Config": config_name, "RepoTags": list(image.tags) or None, "Layers": names})
    files["manifest.json"] = _json(entries)
    return files


def write_docker_archive(
    path: Path, images: Sequence[DockerImage], *, legacy: bool = True, compress: bool = False
) -> Path:
    return write_tar(path, docker_archive_files(images, legacy=legacy), compress=compress)


@dataclass
class OciLayout:
    """An OCI image layout being built: blobs by digest; change `blobs` to damage one."""

    blobs: dict[str, bytes] = field(default_factory=dict)

    def blob(self, data: bytes, media_type: str) -> dict[str, Any]:
        digest = sha256(data)
        self.blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def image(
        self, layers: Sequence[Layer], image_config: Mapping[str, Any], *, platform: str | None = None
    ) -> dict[str, Any]:
        """Store the layers, config and manifest; the manifest's descriptor, with `platform` if given."""
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": self.blob(_json(image_config), OCI_CONFIG),
            "layers": [self.blob(item.blob, item.media_type) for item in layers],
        }
        descriptor = self.blob(_json(manifest), OCI_MANIFEST)
        if platform:
            os, architecture, *variant = platform.split("/")
            descriptor["platform"] = {"os": os, "architecture": architecture}
            if variant:
                descriptor["platform"]["variant"] = variant[0]
        return descriptor

    def index(self, manifests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return self.blob(
            _json({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": list(manifests)}), OCI_INDEX
        )

    def files(self, manifests: Sequence[Mapping[str, Any]]) -> dict[str, bytes]:
        files = {"oci-layout": _json({"imageLayoutVersion": "1.0.0"})}
        files["index.json"] = _json(
            {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": list(manifests)}
        )
        for digest, data in self.blobs.items():
            algorithm, _, hexdigest = digest.partition(":")
            files[f"blobs/{algorithm}/{hexdigest}"] = data
        return files

    def write(self, path: Path, manifests: Sequence[Mapping[str, Any]], *, as_folder: bool = False) -> Path:
        """index.json listing `manifests`, as a tar file (`oci-archive`) or a folder (`oci:`)."""
        files = self.files(manifests)
        return _write_folder(path, files) if as_folder else write_tar(path, files)


def tagged(descriptor: Mapping[str, Any], name: str) -> dict[str, Any]:
    """`descriptor` named as index.json names images (`org.opencontainers.image.ref.name`)."""
    return {**descriptor, "annotations": {"org.opencontainers.image.ref.name": name}}
