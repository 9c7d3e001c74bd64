"""Container images unpack as a runtime would lay them out, and nothing in them reaches the host."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.discovery.imagebuild import (
    DockerImage,
    Layer,
    Member,
    OciLayout,
    config,
    device,
    docker_archive_files,
    fifo,
    file,
    folder,
    hardlink,
    layer,
    layer_from_blob,
    opaque,
    sha256,
    symlink,
    tagged,
    tar_bytes,
    whiteout,
    write_docker_archive,
    write_tar,
)
from thoth_cli.discovery.image import (
    DOCKER_ARCHIVE,
    OCI_LAYOUT,
    ImageError,
    ImagePlatform,
    UnpackedImage,
    open_image,
    unpack_image,
)
from thoth_cli.errors import ExitCode, UsageError
from thoth_cli.target.model import TargetError

REFUSED = "the archive is unsafe or corrupt: do not use it; export the image again (docker save, skopeo copy)"
OS_RELEASE = 'ID=debian\nVERSION_ID="12"\n'
ENV = (
    "PATH=/usr/local/bin:/usr/bin",
    "PYTHON_VERSION=3.12.1",
    "CUDA_VERSION=12.2.0",
    "NVIDIA_REQUIRE_CUDA=cuda>=12.2 brand=tesla,driver>=470",
)


def base_layers() -> list[Layer]:
    """Three layers: a base system, a layer deleting and hiding some of it, and an install on top."""
    system = layer(
        [
            folder("usr"),
            folder("usr/lib"),
            file("usr/lib/os-release", OS_RELEASE),
            folder("usr/bin"),
            file("usr/bin/python3.12", "#!binary", mode=0o4755),
            symlink("usr/bin/python3", "python3.12"),
            folder("etc"),
            symlink("etc/os-release", "/usr/lib/os-release"),
            file("etc/remove-me", "old"),
            folder("opt/app"),
            file("opt/app/old.txt", "old"),
            folder("opt/app/sub"),
            file("opt/app/sub/deep.txt", "old"),
            folder("dev"),
            device("dev/null"),
            folder("run"),
            fifo("run/initctl"),
        ],
        compression="gzip",
    )
    changes = layer(
        [
            whiteout("etc/remove-me"),
            folder("opt/app"),
            # Before the marker: entries of the same layer survive the folder going opaque.
            file("opt/app/new.txt", "new"),
            opaque("opt/app"),
            hardlink("usr/lib/os-release.hard", "usr/lib/os-release"),
        ]
    )
    install = layer(
        [
            folder("usr/local/lib/python3.12/site-packages"),
            file("usr/local/lib/python3.12/site-packages/foo.py", "import os\n"),
        ],
        compression="gzip",
    )
    return [system, changes, install]


def base_config(layers: list[Layer]) -> dict[str, object]:
    return config(layers, env=ENV, labels={"maintainer": "team"}, entrypoint=["python3"], cmd=["-V"])


def tree(root: Path) -> dict[str, str]:
    """Every path under `root` with what it is: file content, link target, or folder; links never followed."""
    result: dict[str, str] = {}
    for folder_name, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder_name, name)
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                result[key] = f"-> {path.readlink()}"
            elif path.is_dir():
                result[key] = "/"
            else:
                result[key] = path.read_text()
    return dict(sorted(result.items()))


EXPECTED_TREE = {
    "dev": "/",
    "etc": "/",
    "etc/os-release": "-> /usr/lib/os-release",
    "opt": "/",
    "opt/app": "/",
    "opt/app/new.txt": "new",
    "run": "/",
    "usr": "/",
    "usr/bin": "/",
    "usr/bin/python3": "-> python3.12",
    "usr/bin/python3.12": "#!binary",
    "usr/lib": "/",
    "usr/lib/os-release": OS_RELEASE,
    "usr/lib/os-release.hard": OS_RELEASE,
    "usr/local": "/",
    "usr/local/lib": "/",
    "usr/local/lib/python3.12": "/",
    "usr/local/lib/python3.12/site-packages": "/",
    "usr/local/lib/python3.12/site-packages/foo.py": "import os\n",
}


def check_base_image(image: UnpackedImage) -> None:
    assert tree(image.root) == EXPECTED_TREE
    # The absolute link resolves inside the image, never to the host's /usr/lib/os-release.
    assert image.fs.read_text("/etc/os-release") == OS_RELEASE
    assert image.fs.resolve("/usr/bin/python3") == image.root / "usr/bin/python3.12"
    original = (image.root / "usr/lib/os-release").stat()
    assert (image.root / "usr/lib/os-release.hard").stat().st_ino == original.st_ino
    assert stat.S_IMODE((image.root / "usr/bin/python3.12").stat().st_mode) == 0o755
    assert image.skipped_counts == {"device node": 1, "fifo": 1}
    assert [(member.name, member.reason) for member in image.skipped] == [
        ("dev/null", "device node"),
        ("run/initctl", "fifo"),
    ]
    assert image.notes == ("left out 2 layer members: 1 device node, 1 fifo",)
    assert image.config.env == {
        "PATH": "/usr/local/bin:/usr/bin",
        "PYTHON_VERSION": "3.12.1",
        "CUDA_VERSION": "12.2.0",
        "NVIDIA_REQUIRE_CUDA": "cuda>=12.2 brand=tesla,driver>=470",
    }
    assert image.config.labels == {"maintainer": "team"}
    assert image.config.entrypoint == ("python3",)
    assert image.config.cmd == ("-V",)
    assert image.config.created == "2024-01-02T03:04:05.123456789Z"
    assert image.config.working_dir is None
    assert str(image.platform) == "linux/amd64"


def test_docker_archive_applies_layers_in_order_with_whiteouts(tmp_path: Path) -> None:
    layers = base_layers()
    archive = write_docker_archive(
        tmp_path / "image.tar", [DockerImage(layers, base_config(layers), ("app:1", "app:latest"))]
    )
    image = unpack_image(archive, tmp_path / "root")
    check_base_image(image)
    assert image.format == DOCKER_ARCHIVE
    assert image.references == ("app:1", "app:latest")
    assert image.digest is None
    assert image.layer_digests == tuple(item.digest for item in layers)
    assert [applied.diff_id for applied in image.layers] == [item.diff_id for item in layers]
    assert [applied.compression for applied in image.layers] == ["gzip", "none", "gzip"]
    assert image.config.diff_ids == tuple(item.diff_id for item in layers)


def test_docker_25_blobs_layout_in_a_gzipped_archive(tmp_path: Path) -> None:
    layers = base_layers()
    archive = write_docker_archive(
        tmp_path / "image.tar.gz",
        [DockerImage(layers, base_config(layers), ("app:1",))],
        legacy=False,
        compress=True,
    )
    check_base_image(unpack_image(archive, tmp_path / "root"))


def oci_base(tmp_path: Path, *, as_folder: bool = False) -> tuple[Path, OciLayout, dict[str, object]]:
    layers = base_layers()
    layout = OciLayout()
    manifest = layout.image(layers, base_config(layers))
    archive = layout.write(
        tmp_path / ("oci" if as_folder else "oci.tar"), [tagged(manifest, "app:1")], as_folder=as_folder
    )
    return archive, layout, manifest


def test_oci_archive_unpacks_into_a_temporary_folder_that_goes_away(tmp_path: Path) -> None:
    archive, _, manifest = oci_base(tmp_path)
    with open_image(archive, directory=tmp_path) as image:
        check_base_image(image)
        assert image.format == OCI_LAYOUT
        assert image.references == ("app:1",)
        assert image.digest == manifest["digest"]
        root = image.root
        assert root.is_dir()
    assert not root.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["oci.tar"]


def test_oci_layout_folder(tmp_path: Path) -> None:
    archive, _, _ = oci_base(tmp_path, as_folder=True)
    check_base_image(unpack_image(archive, tmp_path / "root"))


def test_docker_25_archive_with_both_layouts_reads_oci_and_keeps_repo_tags(tmp_path: Path) -> None:
    layers = base_layers()
    image_config = base_config(layers)
    layout = OciLayout()
    manifest = layout.image(layers, image_config)
    files = layout.files([tagged(manifest, "1")])
    files.update(docker_archive_files([DockerImage(layers, image_config, ("app:1",))], legacy=False))
    image = unpack_image(write_tar(tmp_path / "image.tar", files), tmp_path / "root")
    assert image.format == OCI_LAYOUT
    assert image.references == ("1", "app:1")
    assert tree(image.root) == EXPECTED_TREE


def multi_platform(tmp_path: Path) -> Path:
    """An index with amd64, arm64/v8 and an attestation manifest, as buildx writes it."""
    layout = OciLayout()
    amd = layer([file("etc/arch", "amd64")])
    arm = layer([file("etc/arch", "arm64")])
    amd64 = layout.image([amd], config([amd]), platform="linux/amd64")
    arm64 = layout.image([arm], config([arm], architecture="arm64", variant="v8"), platform="linux/arm64/v8")
    attestation = layout.image([amd], config([amd]), platform="unknown/unknown")
    return layout.write(tmp_path / "multi.tar", [tagged(layout.index([amd64, arm64, attestation]), "app:1")])


def test_multi_platform_index_gives_the_requested_platform(tmp_path: Path) -> None:
    image = unpack_image(multi_platform(tmp_path), tmp_path / "root", platform="linux/arm64")
    assert image.fs.read_text("/etc/arch") == "arm64"
    assert str(image.platform) == "linux/arm64/v8"
    assert image.config.architecture == "arm64"
    assert image.notes == ()


def test_multi_platform_index_defaults_to_this_machine_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    image = unpack_image(multi_platform(tmp_path), tmp_path / "root")
    assert image.fs.read_text("/etc/arch") == "arm64"
    assert image.notes == (
        "the image is built for linux/amd64, linux/arm64/v8; chose linux/arm64/v8, this machine's platform",
    )


def test_no_build_for_the_platform_lists_the_platforms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = multi_platform(tmp_path)
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root", platform="linux/s390x")
    assert str(caught.value) == (
        f"{archive} [index.json]: no image for this platform: linux/s390x\n"
        "  fix: the image is built for linux/amd64, linux/arm64/v8: choose one of these"
    )
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    assert not (tmp_path / "root").exists()
    monkeypatch.setattr("platform.machine", lambda: "ppc64le")
    with pytest.raises(ImageError, match=r"no image for this machine's platform: linux/ppc64le\n"):
        unpack_image(archive, tmp_path / "root")


def test_a_single_platform_image_refuses_another_platform_only_when_asked(tmp_path: Path) -> None:
    amd = layer([file("etc/arch", "amd64")])
    archive = write_docker_archive(tmp_path / "image.tar", [DockerImage([amd], config([amd]), ("app:1",))])
    assert unpack_image(archive, tmp_path / "one").fs.read_text("/etc/arch") == "amd64"
    assert unpack_image(archive, tmp_path / "two", platform="linux/x86_64").platform == ImagePlatform(
        "linux", "amd64"
    )
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "three", platform="linux/arm64")
    assert str(caught.value) == (
        f"{archive} [manifest.json]: no image for this platform: linux/arm64\n"
        "  fix: the image is built for linux/amd64: choose one of these"
    )


def test_an_unreadable_platform_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(TargetError) as caught:
        unpack_image(tmp_path / "missing.tar", tmp_path / "root", platform="arm64")
    assert str(caught.value) == (
        "not an image platform: 'arm64'\n"
        "  fix: write it as OS/ARCH[/VARIANT], e.g. linux/amd64, linux/arm64 or linux/arm/v7"
    )
    assert caught.value.exit_code == ExitCode.USAGE


def test_several_images_need_a_reference(tmp_path: Path) -> None:
    one = layer([file("name", "one")])
    two = layer([file("name", "two")])
    archive = write_docker_archive(
        tmp_path / "images.tar",
        [
            DockerImage([one], config([one]), ("one:1",)),
            DockerImage([two], config([two]), ("library/two:2",)),
        ],
    )
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert str(caught.value) == (
        f"{archive} [manifest.json]: the archive holds several images: one:1, library/two:2\n"
        "  fix: name the one to analyse by its reference"
    )
    assert unpack_image(archive, tmp_path / "root", reference="two:2").fs.read_text("/name") == "two"
    with pytest.raises(ImageError) as missing:
        unpack_image(archive, tmp_path / "root2", reference="three:3")
    assert str(missing.value) == (
        f"{archive} [manifest.json]: no image with this reference: three:3\n"
        "  fix: name one the archive holds: one:1, library/two:2"
    )


def test_the_same_image_under_two_names_is_one_image(tmp_path: Path) -> None:
    one = layer([file("name", "one")])
    layout = OciLayout()
    manifest = layout.image([one], config([one]))
    archive = layout.write(tmp_path / "oci.tar", [tagged(manifest, "1"), tagged(manifest, "latest")])
    assert unpack_image(archive, tmp_path / "root").references == ("1", "latest")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../../evil", "layer member path climbs out of the image root"),
        ("etc/../../evil", "layer member path climbs out of the image root"),
        ("/etc/evil", "layer member path is absolute"),
    ],
)
def test_members_leaving_the_root_are_refused(tmp_path: Path, name: str, problem: str) -> None:
    good = layer([file("etc/good", "ok")])
    bad = layer([file(name, "pwned")])
    archive = write_docker_archive(tmp_path / "image.tar", [DockerImage([good, bad], config([good, bad]))])
    (tmp_path / "work").mkdir()
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "work" / "root")
    member = caught.value.member
    assert member is not None
    assert member.endswith("/layer.tar")
    assert str(caught.value) == f"{archive} [{member}]: {problem}: {name}\n  fix: {REFUSED}"
    assert list((tmp_path / "work").iterdir()) == []  # the half-unpacked root is gone
    assert not (tmp_path / "evil").exists()


def test_links_in_lower_layers_never_lead_writes_out_of_the_root(tmp_path: Path) -> None:
    links = layer([symlink("up", "../../../../.."), symlink("top", "/"), symlink("etc", "/nonexistent/etc")])
    writes = layer(
        [
            file("up/pwned", "1"),
            file("top/pwned2", "2"),
            file("etc/passwd", "3"),
            hardlink("stolen", "top/../../../etc/hostname"),
        ]
    )
    archive = write_docker_archive(
        tmp_path / "image.tar", [DockerImage([links, writes], config([links, writes]))]
    )
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert caught.value.problem == "layer member path climbs out of the image root"
    assert caught.value.text == "stolen -> top/../../../etc/hostname"
    writes = layer([file("up/pwned", "1"), file("top/pwned2", "2"), file("etc/passwd", "3")])
    archive = write_docker_archive(
        tmp_path / "image.tar", [DockerImage([links, writes], config([links, writes]))]
    )
    image = unpack_image(archive, tmp_path / "root")
    assert tree(image.root) == {
        "etc": "-> /nonexistent/etc",
        "nonexistent": "/",
        "nonexistent/etc": "/",
        "nonexistent/etc/passwd": "3",
        "pwned": "1",
        "pwned2": "2",
        "top": "-> /",
        "up": "-> ../../../../..",
    }
    assert sorted(path.name for path in tmp_path.iterdir()) == ["image.tar", "root"]


def test_later_layers_replace_files_folders_and_links(tmp_path: Path) -> None:
    lower = layer(
        [file("a", "file"), folder("b"), file("b/inside", "x"), symlink("c", "b"), file("d/e", "deep")]
    )
    upper = layer(
        [
            folder("a"),
            file("a/now", "a folder"),
            file("b", "now a file"),
            file("c", "now a file"),
            file("d", "f"),
        ]
    )
    archive = write_docker_archive(
        tmp_path / "image.tar", [DockerImage([lower, upper], config([lower, upper]))]
    )
    assert tree(unpack_image(archive, tmp_path / "root").root) == {
        "a": "/",
        "a/now": "a folder",
        "b": "now a file",
        "c": "now a file",
        "d": "f",
    }


def test_hard_links_only_join_files_in_the_image_and_empty_links_are_left_out(tmp_path: Path) -> None:
    only = layer(
        [
            file("real", "data"),
            hardlink("missing", "nowhere"),
            folder("dir"),
            hardlink("to-dir", "dir"),
            symlink("empty", ""),
        ]
    )
    archive = write_docker_archive(tmp_path / "image.tar", [DockerImage([only], config([only]))])
    image = unpack_image(archive, tmp_path / "root")
    assert tree(image.root) == {"dir": "/", "real": "data"}
    assert image.skipped_counts == {
        "hard link to dir, which is a folder": 1,
        "hard link to nowhere, which is not in the image": 1,
        "symbolic link to nothing": 1,
    }


def test_a_layer_digest_mismatch_names_the_layer(tmp_path: Path) -> None:
    honest = layer([file("etc/motd", "hello")])
    layout = OciLayout()
    manifest = layout.image([honest], config([honest]))
    # Same size, other bytes: only the digest can tell.
    tampered = honest.blob.replace(b"hello", b"HELLO")
    layout.blobs[honest.digest] = tampered
    archive = layout.write(tmp_path / "tampered.tar", [manifest])
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    hexdigest = honest.digest.partition(":")[2]
    assert str(caught.value) == (
        f"{archive} [blobs/sha256/{hexdigest}]: layer does not match its digest: "
        f"expected {honest.digest}, found {sha256(tampered)}\n  fix: {REFUSED}"
    )


def test_a_diff_id_mismatch_names_the_layer(tmp_path: Path) -> None:
    real = layer([file("etc/motd", "hello")], compression="gzip")
    other = layer([file("etc/motd", "other")])
    archive = write_docker_archive(tmp_path / "image.tar", [DockerImage([real], config([other]))])
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert str(caught.value) == (
        f"{archive} [{caught.value.member}]: uncompressed layer does not match the image configuration's "
        f"diff_id: expected {other.diff_id}, found {real.diff_id}\n  fix: {REFUSED}"
    )


def test_a_layer_size_other_than_the_manifest_says_is_refused(tmp_path: Path) -> None:
    honest = layer([file("etc/motd", "hello")])
    layout = OciLayout()
    manifest = layout.image([honest], config([honest]))
    layout.blobs[honest.digest] = honest.blob + b"\0" * 512
    archive = layout.write(tmp_path / "oci.tar", [manifest])
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert str(caught.value) == (
        f"{archive} [blobs/sha256/{honest.digest[7:]}]: layer size does not match the manifest: "
        f"expected {len(honest.blob)} bytes, found {len(honest.blob) + 512}\n  fix: {REFUSED}"
    )


def test_a_member_larger_than_its_layer_is_refused(tmp_path: Path) -> None:
    lying = layer([Member("big", data=b"small", size=10**12)])
    archive = write_docker_archive(tmp_path / "image.tar", [DockerImage([lying], config([lying]))])
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert str(caught.value) == (
        f"{archive} [{caught.value.member}]: layer member is larger than the whole layer can hold: "
        f"big declares {10**12} bytes, the layer holds at most {len(lying.blob)}\n  fix: {REFUSED}"
    )


def test_zstd_layers_need_a_zstd_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("zstandard", "compression", "compression.zstd"):
        monkeypatch.setitem(sys.modules, module, None)
    tar = tar_bytes([file("etc/motd", "hello")])
    frame = layer_from_blob(b"\x28\xb5\x2f\xfd" + b"\0" * 32, tar=tar)
    layout = OciLayout()
    manifest = layout.image([frame], config([frame]))
    archive = layout.write(tmp_path / "oci.tar", [manifest])
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert str(caught.value) == (
        f"{archive} [blobs/sha256/{frame.digest[7:]}]: layer is compressed with zstd, which this Python "
        "cannot read\n"
        "  fix: install the zstandard package (pip install zstandard) or use Python 3.14 or newer"
    )


def test_zstd_layers_unpack_when_zstandard_is_installed(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    tar = tar_bytes([file("etc/motd", "hello")])
    compressed = layer_from_blob(zstandard.ZstdCompressor().compress(tar), tar=tar)
    layout = OciLayout()
    archive = layout.write(tmp_path / "oci.tar", [layout.image([compressed], config([compressed]))])
    image = unpack_image(archive, tmp_path / "root")
    assert image.fs.read_text("/etc/motd") == "hello"
    assert image.layers[0].compression == "zstd"


def test_files_that_are_not_images(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(ImageError) as caught:
        unpack_image(text, tmp_path / "root")
    assert str(caught.value) == (
        f"{text}: not a container image: neither a tar archive nor a folder\n"
        "  fix: export the image with `docker save IMAGE -o FILE` or `skopeo copy ... oci-archive:FILE`"
    )
    other = tmp_path / "other.tar"
    other.write_bytes(tar_bytes([file("hello.txt", "hi")]))
    with pytest.raises(ImageError) as not_image:
        unpack_image(other, tmp_path / "root")
    assert str(not_image.value) == (
        f"{other}: not a container image: no manifest.json (docker-archive) nor oci-layout and index.json "
        "(OCI layout)\n"
        "  fix: export the image with `docker save IMAGE -o FILE` or `skopeo copy ... oci-archive:FILE`"
    )
    missing = tmp_path / "missing.tar"
    with pytest.raises(ImageError) as absent:
        unpack_image(missing, tmp_path / "root")
    assert str(absent.value) == f"{missing}: cannot read the image: no such file or folder"
    assert not (tmp_path / "root").exists()


def test_a_manifest_naming_a_missing_layer(tmp_path: Path) -> None:
    only = layer([file("etc/motd", "hello")])
    files = docker_archive_files([DockerImage([only], config([only]))])
    layer_name = next(name for name in files if name.endswith("/layer.tar"))
    del files[layer_name]
    archive = write_tar(tmp_path / "image.tar", files)
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert str(caught.value) == (
        f"{archive} [{layer_name}]: the archive has no such file\n"
        "  fix: the archive is incomplete or damaged; export the image again (docker save, skopeo copy)"
    )


def test_a_manifest_pointing_outside_the_archive(tmp_path: Path) -> None:
    only = layer([file("etc/motd", "hello")])
    files = docker_archive_files([DockerImage([only], config([only]))])
    files["manifest.json"] = files["manifest.json"].replace(b'"Layers":["', b'"Layers":["../../')
    archive = write_tar(tmp_path / "image.tar", files)
    with pytest.raises(ImageError) as caught:
        unpack_image(archive, tmp_path / "root")
    assert caught.value.problem == "[0].Layers names a file outside the archive"
    assert caught.value.member == "manifest.json"


def test_the_destination_must_be_empty(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "keep").write_text("mine")
    with pytest.raises(UsageError) as caught:
        unpack_image(tmp_path / "image.tar", tmp_path / "root")
    assert str(caught.value) == (
        f"cannot unpack an image into {tmp_path / 'root'}: the folder is not empty\n"
        "  fix: unpack into a new or empty folder"
    )
    assert (tmp_path / "root" / "keep").read_text() == "mine"
