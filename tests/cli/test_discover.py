"""`thoth discover` through the command line: fake roots, real image archives, and this machine."""

from __future__ import annotations

import json
import os
import platform as host_platform
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.discovery.conftest import FakeRoot
from tests.discovery.imagebuild import (
    DockerImage,
    Member,
    config,
    file,
    folder,
    layer,
    symlink,
    write_docker_archive,
)
from tests.discovery.test_os_info import elf_header
from thoth_cli.cli.main import cli
from thoth_cli.config import read_config
from thoth_cli.discovery.probe import clear_cache

X86_64 = 62
"""ELF's e_machine for x86-64."""

GLIBC_2_36 = b"GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n"

PATH = "PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"


@pytest.fixture(autouse=True)
def _fresh_probes() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def python_root(
    root: FakeRoot,
    packages: Mapping[str, str] = {"pip": "24.0"},
    *,
    python: str = "3.12.4",
) -> FakeRoot:
    """An unpacked python:X.Y-bookworm-like root for x86-64: Debian 12, glibc 2.36, Python and packages."""
    minor = ".".join(python.split(".")[:2])
    root.write("/usr/bin/dash", elf_header(X86_64)).link("/bin/sh", "/usr/bin/dash")
    root.write("/usr/lib/x86_64-linux-gnu/libc.so.6", elf_header(X86_64) + bytes(512) + GLIBC_2_36)
    root.copy("/usr/lib/os-release", "os-release/debian-12").link("/etc/os-release", "../usr/lib/os-release")
    root.copy("/var/lib/dpkg/status", "system-packages/dpkg-status-debian-12")
    root.write(f"/usr/local/bin/python{minor}", elf_header(X86_64)).link(
        "/usr/local/bin/python3", f"python{minor}"
    )
    root.write(f"/usr/local/include/python{minor}/patchlevel.h", f'#define PY_VERSION "{python}"\n')
    site = f"/usr/local/lib/python{minor}/site-packages"
    for name, version in packages.items():
        root.write(
            f"{site}/{name}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        )
    return root


def members(root: Path) -> list[Member]:
    """The files, folders and links under `root` as the members of one layer."""
    found: list[Member] = []
    for current, folders, files in os.walk(root):
        folders.sort()
        for name in sorted(folders) + sorted(files):
            path = Path(current, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found.append(symlink(relative, str(path.readlink())))
            elif path.is_dir():
                found.append(folder(relative))
            else:
                found.append(file(relative, path.read_bytes()))
    return found


def image_archive(root: Path, archive: Path, *, tags: Sequence[str] = ("shop/python:3.12",)) -> Path:
    """A `docker save` archive of one image whose single layer holds `root`."""
    base = layer(members(root), compression="gzip")
    return write_docker_archive(archive, [DockerImage([base], config([base], env=[PATH]), tuple(tags))])


def thoth(*arguments: str) -> Result:
    """`thoth discover ARGUMENTS` in-process, wide enough that no row wraps."""
    env = {"COLUMNS": "200", "NO_COLOR": None, "FORCE_COLOR": None}
    result = CliRunner().invoke(cli, ["--color", "never", "discover", *arguments], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def rows(output: str) -> list[str]:
    """The table's lines with their runs of spaces made one."""
    return [" ".join(line.split()) for line in output.splitlines() if line.strip()]


def repository(folder: Path) -> Path:
    """A project folder at a repository's root, where the search for .thoth.yaml stops."""
    (folder / ".git").mkdir(parents=True)
    return folder


@pytest.fixture
def root(tmp_path: Path) -> FakeRoot:
    return python_root(FakeRoot(tmp_path / "root"), {"pip": "24.0", "urllib3": "1.26.18"})


# An unpacked root ------------------------------------------------------------------------


def test_a_root_is_shown_as_a_table_of_sections(root: FakeRoot) -> None:
    result = thoth("--root", str(root.path))
    assert result.exit_code == 0, result.stderr
    assert rows(result.stdout) == [
        "OS distribution Debian GNU/Linux 12 (bookworm) (debian 12)",
        "platform manylinux_2_36_x86_64 (glibc 2.36)",
        "Python interpreter CPython 3.12.4",
        "executable /usr/local/bin/python3",
        "best wheel tag cp312-cp312-manylinux_2_36_x86_64 (of 987 accepted)",
        "CPU model unknown",
        "Memory total unknown",
        "GPU gpus unknown",
        "cuda toolkit none found",
        "Libraries cuDNN none found",
        "MKL none found",
        "OpenBLAS none found",
        "Open MPI none found",
        "Container container yes (an image root runs in a container)",
        "Packages system 4 (4 dpkg)",
        "python 2",
    ]
    assert result.stderr == ""


def test_verbose_lists_the_packages_and_says_why_parts_are_unknown(root: FakeRoot) -> None:
    result = thoth("--root", str(root.path), "--verbose")
    assert result.exit_code == 0, result.stderr
    lines = rows(result.stdout)
    assert lines[lines.index("Python packages") + 1 :][:3] == [
        "name version location",
        "pip 24.0 /usr/local/lib/python3.12/site-packages",
        "urllib3 1.26.18 /usr/local/lib/python3.12/site-packages",
    ]
    assert "dpkg zlib1g 1:1.2.13.dfsg-1 amd64" in lines
    notes = result.stderr.splitlines()
    assert notes and all(note.startswith("note: ") for note in notes)
    assert any(note.startswith("note: cpu: ") for note in notes)


def test_json_is_the_runtime_environment_schema(root: FakeRoot) -> None:
    result = thoth("--root", str(root.path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "thoth.runtime-environment/1"
    assert data["host"] is False
    assert (data["os"]["id"], data["os"]["version"]) == ("debian", "12")
    assert data["platform"]["tag"] == "manylinux_2_36_x86_64"
    assert data["python"]["version"] == "3.12.4"
    assert data["python"]["abi"] == "cp312"
    assert [package["name"] for package in data["python_packages"]] == ["pip", "urllib3"]
    assert data["cpu"] is None and data["memory"] is None


def test_yaml_says_what_json_says(root: FakeRoot) -> None:
    as_json = json.loads(thoth("--root", str(root.path), "--format", "json").stdout)
    result = thoth("--root", str(root.path), "--format", "yaml")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout) == as_json


def test_python_names_the_interpreter_inside_the_root(root: FakeRoot) -> None:
    root.write("/opt/py311/bin/python3.11", elf_header(X86_64))
    result = thoth("--root", str(root.path), "--python", "/opt/py311/bin/python3.11", "--format", "json")
    assert result.exit_code == 0, result.stderr
    python = json.loads(result.stdout)["python"]
    assert (python["version"], python["version_exact"], python["executable"]) == (
        "3.11.0",
        False,
        "/opt/py311/bin/python3.11",
    )


# An image archive ------------------------------------------------------------------------


def test_an_image_archive_is_described_from_its_files(root: FakeRoot, tmp_path: Path) -> None:
    archive = image_archive(root.path, tmp_path / "image.tar")
    from_image = thoth("--image", str(archive), "--format", "json")
    assert from_image.exit_code == 0, from_image.stderr
    from_root = thoth("--root", str(root.path), "--format", "json")
    assert json.loads(from_image.stdout) == json.loads(from_root.stdout)


def test_the_reference_picks_one_image_of_several(root: FakeRoot, tmp_path: Path) -> None:
    other = python_root(FakeRoot(tmp_path / "other"), python="3.11.9")
    first, second = layer(members(root.path)), layer(members(other.path))
    archive = write_docker_archive(
        tmp_path / "two.tar",
        [
            DockerImage([first], config([first], env=[PATH]), ("shop/python:3.12",)),
            DockerImage([second], config([second], env=[PATH]), ("shop/python:3.11",)),
        ],
    )
    result = thoth("--image", str(archive), "--reference", "shop/python:3.11", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["python"]["version"] == "3.11.9"


# Saving ----------------------------------------------------------------------------------


def test_save_writes_the_environment_into_thoth_yaml(
    root: FakeRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = repository(tmp_path / "project")
    archive = image_archive(root.path, tmp_path / "image.tar")
    monkeypatch.chdir(project)
    result = thoth("--image", str(archive), "--save", "prod")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "added runtime environment prod in .thoth.yaml\n"
    assert (project / ".thoth.yaml").read_text() == (
        "runtime_environments:\n"
        "  - name: prod\n"
        "    operating_system:\n"
        "      name: debian\n"
        "      version: '12'\n"
        "    python_version: 3.12.4\n"
        "    base_image: shop/python:3.12\n"
        "    platform: linux-x86_64\n"
        "    glibc: '2.36'\n"
    )
    config_file = read_config(project / ".thoth.yaml")
    prod = config_file.environment("prod")
    assert prod is not None and str(prod.target().platform) == "manylinux_2_36_x86_64"


def test_save_replaces_the_entry_of_that_name_and_keeps_the_others(
    root: FakeRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = repository(tmp_path / "project")
    (project / "src").mkdir()
    (project / ".thoth.yaml").write_text(
        "# ours\nhost: khemenu.thoth-station.ninja\nruntime_environments:\n"
        "  - name: prod\n    python_version: '3.8'\n  - name: dev\n    python_version: '3.11'\n"
    )
    # From a folder inside the project, the project's file is the one found and changed.
    monkeypatch.chdir(project / "src")
    result = thoth("--root", str(root.path), "--save", "prod")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"replaced runtime environment prod in {(project / '.thoth.yaml').resolve()}\n"
    assert not (project / "src" / ".thoth.yaml").exists()
    text = (project / ".thoth.yaml").read_text()
    assert text.startswith(
        "# ours\nhost: khemenu.thoth-station.ninja\nruntime_environments:\n  - name: prod\n"
    )
    assert text.endswith("  - name: dev\n    python_version: '3.11'\n")
    config_file = read_config(project / ".thoth.yaml")
    assert config_file.names == ("prod", "dev")
    prod = config_file.environment("prod")
    assert prod is not None and prod.python_version == "3.12.4"


def test_config_names_the_file_to_save_into(root: FakeRoot, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "thoth.yaml"
    target.parent.mkdir()
    result = thoth("--root", str(root.path), "--save", "prod", "--config", str(target))
    assert result.exit_code == 0, result.stderr
    assert read_config(target).names == ("prod",)


# Bad input -------------------------------------------------------------------------------


def test_a_missing_root_is_exit_4(tmp_path: Path) -> None:
    result = thoth("--root", str(tmp_path / "nowhere"))
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {tmp_path / 'nowhere'}: no such folder\n  fix: pass the folder an image was unpacked into\n"
    )


def test_a_folder_that_is_no_root_is_exit_4(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    result = thoth("--root", str(tmp_path))
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {tmp_path}: not a root file system: it has no etc, usr, bin or lib folder\n"
        "  fix: pass the folder an image was unpacked into (the one holding etc/ and usr/)\n"
    )


def test_a_file_given_as_root_is_exit_4(tmp_path: Path) -> None:
    archive = tmp_path / "image.tar"
    archive.write_bytes(b"")
    result = thoth("--root", str(archive))
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {archive}: not a folder\n"
        "  fix: pass the folder an image was unpacked into; an image archive goes to --image\n"
    )


def test_a_file_that_is_no_image_is_exit_4(tmp_path: Path) -> None:
    bad = tmp_path / "image.tar"
    bad.write_text("not a tar")
    result = thoth("--image", str(bad))
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {bad}: not a container image: neither a tar archive nor a folder\n"
        "  fix: export the image with `docker save IMAGE -o FILE` or `skopeo copy ... oci-archive:FILE`\n"
    )


def test_a_missing_image_is_exit_4(tmp_path: Path) -> None:
    result = thoth("--image", str(tmp_path / "image.tar"))
    assert result.exit_code == 4
    assert (
        result.stderr == f"error: {tmp_path / 'image.tar'}: cannot read the image: no such file or folder\n"
    )


def test_root_and_image_together_are_exit_2(root: FakeRoot, tmp_path: Path) -> None:
    result = thoth("--root", str(root.path), "--image", str(tmp_path / "image.tar"))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --root and --image each name the machine to describe\n  fix: pass one of them\n"
    )


def test_a_bad_environment_name_is_exit_2(root: FakeRoot) -> None:
    result = thoth("--root", str(root.path), "--save", "../prod")
    assert result.exit_code == 2
    assert "Invalid value for --save: '../prod': a name is letters, digits" in result.stderr


def test_save_refuses_to_write_over_an_invalid_file(
    root: FakeRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repository(tmp_path) / ".thoth.yaml").write_text(
        "runtime_environments:\n  - name: dev\n    pyton_version: '3.8'\n"
    )
    monkeypatch.chdir(tmp_path)
    result = thoth("--root", str(root.path), "--save", "prod")
    assert result.exit_code == 4
    assert result.stderr == (
        "error: .thoth.yaml:3 [runtime_environments[0].pyton_version]: unknown key in a runtime "
        "environment: 'pyton_version'\n  fix: did you mean 'python_version'?\n"
    )
    assert (tmp_path / ".thoth.yaml").read_text().endswith("pyton_version: '3.8'\n")


# This machine ----------------------------------------------------------------------------


def test_this_machine_is_described_as_its_os_release_says() -> None:
    result = thoth("--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["host"] is True
    assert data["python"] is not None
    if Path("/etc/os-release").exists() or Path("/usr/lib/os-release").exists():
        release = host_platform.freedesktop_os_release()
        assert (data["os"]["id"], data["os"]["version"], data["os"]["pretty_name"]) == (
            release["ID"],
            release.get("VERSION_ID"),
            release.get("PRETTY_NAME"),
        )
    table = thoth()
    assert table.exit_code == 0, table.stderr
    assert rows(table.stdout)[0].startswith("OS distribution ")
