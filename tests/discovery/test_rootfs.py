"""RootFS keeps every read inside the root, whatever the links say."""

from __future__ import annotations

from pathlib import Path

from thoth_cli.discovery.rootfs import RootFS


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "usr" / "lib").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "usr" / "lib" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (root / "etc" / "os-release").symlink_to("../usr/lib/os-release")
    (root / "etc" / "absolute").symlink_to("/usr/lib/os-release")
    (root / "etc" / "escape").symlink_to("../../../../../../etc/hostname")
    (root / "etc" / "loop").symlink_to("loop")
    return root


def test_relative_and_absolute_links_resolve_inside_the_root(tmp_path: Path) -> None:
    fs = RootFS(make_root(tmp_path))
    assert fs.read_text("/etc/os-release") == 'ID=debian\nVERSION_ID="12"\n'
    assert fs.read_text("/etc/absolute") == 'ID=debian\nVERSION_ID="12"\n'


def test_links_never_reach_the_host(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    fs = RootFS(root)
    # `..` stops at the root: the link lands on <root>/etc/hostname, which does not exist.
    assert fs.resolve("/etc/escape") is None
    (root / "etc" / "hostname").write_text("image\n")
    assert fs.read_text("/etc/escape") == "image\n"


def test_link_loops_and_missing_files_give_none(tmp_path: Path) -> None:
    fs = RootFS(make_root(tmp_path))
    assert fs.resolve("/etc/loop") is None
    assert fs.read_text("/nope") is None
    assert fs.listdir("/nope") == []


def test_listdir_and_glob_report_paths_inside_the_root(tmp_path: Path) -> None:
    fs = RootFS(make_root(tmp_path))
    assert fs.listdir("/usr/lib") == ["os-release"]
    assert list(fs.glob("/usr/lib", "os-*")) == ["/usr/lib/os-release"]


def test_read_bytes_honours_the_limit(tmp_path: Path) -> None:
    fs = RootFS(make_root(tmp_path))
    assert fs.read_bytes("/usr/lib/os-release", limit=2) == b"ID"
