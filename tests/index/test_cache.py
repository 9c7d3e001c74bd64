"""Tests for the on-disk cache: its entries, its corruption checks, and two processes sharing it."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from thoth_cli.index.cache import Cache, CacheCleanError, CachedPage
from thoth_cli.index.errors import CacheError

URL = "https://pypi.example/simple/requests/"
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
HTML_ACCEPT = "text/html"


def page(content: bytes = b'{"files": []}', *, url: str = URL, accept: str = JSON_ACCEPT) -> CachedPage:
    return CachedPage(
        url=url,
        accept=accept,
        final_url=url,
        status=200,
        headers={"etag": '"v1"', "cache-control": "max-age=600", "content-type": JSON_ACCEPT},
        content=content,
        stored_at=1700000000.5,
    )


def only_file(root: Path, kind: str) -> Path:
    files = [path for path in (root / kind).rglob("*") if path.is_file()]
    assert len(files) == 1, files
    return files[0]


# Where the cache lives


def test_default_root_is_thoth_cache_dir_when_set(tmp_path: Path) -> None:
    assert Cache.default_root({"THOTH_CACHE_DIR": str(tmp_path / "c")}) == tmp_path / "c"


def test_default_root_is_the_user_cache_folder_otherwise() -> None:
    assert Cache.default_root({}).name == "thoth_cli"


# Pages


def test_a_page_comes_back_as_stored(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_page(page())
    found = cache.get_page(URL, JSON_ACCEPT)
    assert found is not None
    assert found.content == b'{"files": []}'
    assert dict(found.headers) == {
        "etag": '"v1"',
        "cache-control": "max-age=600",
        "content-type": JSON_ACCEPT,
    }
    assert found.stored_at == 1700000000.5
    assert found.final_url == URL
    assert found.status == 200


def test_the_accept_header_is_part_of_a_pages_key(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_page(page(b"json"))
    assert cache.get_page(URL, HTML_ACCEPT) is None
    cache.put_page(page(b"<html>", accept=HTML_ACCEPT))
    assert cache.get_page(URL, JSON_ACCEPT).content == b"json"  # type: ignore[union-attr]
    assert cache.get_page(URL, HTML_ACCEPT).content == b"<html>"  # type: ignore[union-attr]


def test_a_stored_page_is_replaced(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_page(page(b"old"))
    cache.put_page(page(b"new"))
    assert cache.get_page(URL, JSON_ACCEPT).content == b"new"  # type: ignore[union-attr]
    only_file(tmp_path, "pages")


def test_credentials_are_stripped_from_page_keys_and_never_written(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    secret_url = "https://alice:s3cr3t@pypi.example/simple/requests/"
    cache.put_page(page(url=secret_url))
    assert cache.get_page(URL, JSON_ACCEPT) is not None
    stored = only_file(tmp_path, "pages")
    assert b"s3cr3t" not in stored.read_bytes()
    assert b"alice" not in stored.read_bytes()
    assert "s3cr3t" not in str(stored)


def test_drop_page_forgets_it(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_page(page())
    cache.drop_page(URL, JSON_ACCEPT)
    assert cache.get_page(URL, JSON_ACCEPT) is None


def test_a_truncated_page_entry_is_missing_and_removed(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_page(page(b"x" * 1000))
    stored = only_file(tmp_path, "pages")
    stored.write_bytes(stored.read_bytes()[:-10])
    assert cache.get_page(URL, JSON_ACCEPT) is None
    assert not stored.exists()


def test_a_page_entry_with_a_flipped_byte_is_missing(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_page(page(b"abcdef"))
    stored = only_file(tmp_path, "pages")
    stored.write_bytes(stored.read_bytes().replace(b"abcdef", b"abcdeF"))
    assert cache.get_page(URL, JSON_ACCEPT) is None


@pytest.mark.parametrize(
    "garbage", [b"", b"thoth-cache 1\n", b"thoth-cache 1\n{not json}\nbody", b"PK\x03\x04"]
)
def test_garbage_in_a_page_entry_is_missing(tmp_path: Path, garbage: bytes) -> None:
    cache = Cache(tmp_path)
    cache.put_page(page())
    only_file(tmp_path, "pages").write_bytes(garbage)
    assert cache.get_page(URL, JSON_ACCEPT) is None


# Files by hash and by URL


def test_a_blob_is_stored_by_its_sha256(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    data = b"wheel bytes"
    digest = cache.put_blob(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert cache.get_blob(digest) == data
    assert cache.get_blob(digest.upper()) == data
    assert only_file(tmp_path, "blobs").name == digest


def test_a_corrupt_blob_is_missing_and_removed(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = cache.put_blob(b"wheel bytes")
    stored = only_file(tmp_path, "blobs")
    stored.write_bytes(b"wheel byte")
    assert cache.get_blob(digest) is None
    assert not stored.exists()


def test_an_unknown_blob_is_missing(tmp_path: Path) -> None:
    assert Cache(tmp_path).get_blob("0" * 64) is None


def test_a_blob_key_must_be_a_sha256(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^not a sha256 hex digest: '\.\./etc'$"):
        Cache(tmp_path).get_blob("../etc")


def test_a_file_without_hash_is_stored_by_url_without_credentials(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_url_blob("https://bob:pw@files.example/a-1.0.tar.gz", b"sdist")
    assert cache.get_url_blob("https://files.example/a-1.0.tar.gz") == b"sdist"
    assert cache.get_url_blob("https://files.example/a-2.0.tar.gz") is None
    assert b"pw@" not in only_file(tmp_path, "files").read_bytes()


# Derived values


def test_json_values_round_trip_per_namespace(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_json("metadata", "abc", {"requires_dist": ["a>=1"], "n": 1})
    assert cache.get_json("metadata", "abc") == {"requires_dist": ["a>=1"], "n": 1}
    assert cache.get_json("metadata", "abd") is None
    assert cache.get_json("other", "abc") is None


def test_credentials_in_a_url_used_as_json_key_are_never_written(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put_json("metadata", "https://alice:s3cr3t@files.example/a-1.0.tar.gz", {"n": 1})
    assert cache.get_json("metadata", "https://files.example/a-1.0.tar.gz") == {"n": 1}
    assert cache.get_json("metadata", "https://bob:other@files.example/a-1.0.tar.gz") == {"n": 1}
    stored = only_file(tmp_path, "json")
    assert b"s3cr3t" not in stored.read_bytes()
    assert b"alice" not in stored.read_bytes()


def test_a_namespace_must_be_a_plain_name(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=r"^cache namespace must match \[a-z0-9\]\[a-z0-9\._-\]\*: '\.\./x'$"
    ):
        Cache(tmp_path).put_json("../x", "k", 1)


# Errors


def test_an_unwritable_cache_raises_cache_error(tmp_path: Path) -> None:
    root = tmp_path / "not-a-folder"
    root.write_text("")
    with pytest.raises(CacheError) as caught:
        Cache(root).put_blob(b"x")
    assert str(caught.value) == (
        f"cannot write to the cache at {root}: Not a directory\n"
        "  fix: pass --cache-dir with a writable folder, or set THOTH_CACHE_DIR"
    )
    assert caught.value.path == root


# Housekeeping


def fill(cache: Cache) -> None:
    cache.put_page(page(b"p" * 100))
    cache.put_blob(b"b" * 50)
    cache.put_url_blob("https://files.example/x.tar.gz", b"u" * 10)
    cache.put_json("metadata", "k", [1, 2, 3])


def disk_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def test_info_counts_entries_and_bytes_per_kind(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    fill(cache)
    cache.put_blob(b"another")
    info = cache.info()
    assert info.root == tmp_path
    assert [(kind.kind, kind.entries) for kind in info.kinds] == [
        ("pages", 1),
        ("files", 1),
        ("blobs", 2),
        ("json", 1),
    ]
    assert next(kind for kind in info.kinds if kind.kind == "blobs").bytes == 57
    assert info.total_entries == 5
    assert info.total_bytes == disk_bytes(tmp_path)


def test_info_of_a_missing_cache_is_empty(tmp_path: Path) -> None:
    info = Cache(tmp_path / "nothing").info()
    assert info.total_entries == 0
    assert info.total_bytes == 0


def test_clean_removes_everything_but_foreign_files(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    fill(cache)
    (tmp_path / "README").write_text("not ours")
    before = disk_bytes(tmp_path)
    assert cache.clean() == before - len("not ours")
    assert cache.info().total_entries == 0
    assert (tmp_path / "README").read_text() == "not ours"
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["README", "blobs", "files", "json", "pages"]


def test_clean_older_than_keeps_recent_entries(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    old_digest = cache.put_blob(b"old")
    new_digest = cache.put_blob(b"new!")
    old_path = tmp_path / "blobs" / "sha256" / old_digest[:2] / old_digest
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old_path, (ten_days_ago, ten_days_ago))
    assert cache.clean(older_than=7 * 86400) == 3
    assert cache.get_blob(old_digest) is None
    assert cache.get_blob(new_digest) == b"new!"


def test_clean_leaves_fresh_temporary_files_of_running_writers(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    folder = tmp_path / "pages" / "ab"
    folder.mkdir(parents=True)
    writing = folder / ".tmp-writing"
    writing.write_bytes(b"half")
    abandoned = folder / ".tmp-abandoned"
    abandoned.write_bytes(b"dead!")
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    assert cache.clean() == 5
    assert writing.exists()
    assert not abandoned.exists()
    assert cache.info().total_entries == 0


def test_clean_deletes_what_it_may_and_reports_what_it_may_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    fill(cache)
    protected = only_file(tmp_path, "blobs")
    protected_size = protected.stat().st_size
    before = disk_bytes(tmp_path)
    unlink = Path.unlink

    def unlink_unless_protected(path: Path, missing_ok: bool = False) -> None:
        # As a file of another user, or on a read-only disk: the tests may run as root.
        if path == protected:
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink_unless_protected)

    with pytest.raises(CacheCleanError) as caught:
        cache.clean()

    freed = before - protected_size
    assert str(caught.value) == (
        f"could not delete 1 entry of the cache at {tmp_path} (Permission denied: {protected}); "
        f"{freed} bytes were freed\n"
        f"  fix: delete them as the user who owns them, or make {tmp_path} and its folders writable"
    )
    assert (caught.value.failed, caught.value.removed, caught.value.exit_code) == ((protected,), freed, 3)
    assert [(kind.kind, kind.entries) for kind in cache.info().kinds] == [
        ("pages", 0),
        ("files", 0),
        ("blobs", 1),
        ("json", 0),
    ]


# Two processes at once


def _writer(root: str, worker: int, rounds: int) -> None:
    cache = Cache(Path(root))
    for round_ in range(rounds):
        body = (b"%d-%d " % (worker, round_)) * (1000 + round_)
        cache.put_page(page(body))
        cache.put_blob(b"shared blob" * 1000)
        cache.put_url_blob("https://files.example/x.tar.gz", body)
        cache.put_json("metadata", "k", {"worker": worker, "round": round_})


def _is_writer_body(body: bytes) -> bool:
    first = body.split(b" ", 1)[0]
    worker, round_ = (int(part) for part in first.split(b"-"))
    return body == (first + b" ") * (1000 + round_) and worker in (0, 1)


def test_two_processes_writing_the_same_entries_both_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    rounds = 150
    writers = [context.Process(target=_writer, args=(str(tmp_path), worker, rounds)) for worker in (0, 1)]
    for process in writers:
        process.start()
    cache = Cache(tmp_path)
    seen = 0
    # Read while they write: a reader sees an old or a new entry, never a partial one.
    while any(process.is_alive() for process in writers):
        found = cache.get_page(URL, JSON_ACCEPT)
        if found is not None:
            assert _is_writer_body(found.content)
            seen += 1
    for process in writers:
        process.join()
        assert process.exitcode == 0

    final = cache.get_page(URL, JSON_ACCEPT)
    assert final is not None
    assert _is_writer_body(final.content)
    url_blob = cache.get_url_blob("https://files.example/x.tar.gz")
    assert url_blob is not None
    assert _is_writer_body(url_blob)
    assert cache.get_blob(hashlib.sha256(b"shared blob" * 1000).hexdigest()) == b"shared blob" * 1000
    assert cache.get_json("metadata", "k") in (
        {"worker": 0, "round": rounds - 1},
        {"worker": 1, "round": rounds - 1},
    )
    assert not [path for path in tmp_path.rglob(".tmp-*")]
    assert cache.info().total_entries == 4
