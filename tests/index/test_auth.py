"""Tests for index credentials: URL userinfo, netrc files, and keeping passwords out of sight."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from thoth_cli.errors import ConfigError
from thoth_cli.index.auth import Credentials, CredentialStore, default_netrc_path, split_userinfo


def write_netrc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "netrc"
    path.write_text(text)
    return path


def test_split_userinfo_removes_and_decodes_credentials() -> None:
    assert split_userinfo("https://al%40ice:p%3Ass@host.example:8443/simple/?q=1") == (
        "https://host.example:8443/simple/?q=1",
        Credentials("al@ice", "p:ss"),
    )


def test_split_userinfo_keeps_a_plain_url() -> None:
    assert split_userinfo("https://host.example/simple/") == ("https://host.example/simple/", None)


def test_split_userinfo_keeps_ipv6_brackets() -> None:
    assert split_userinfo("http://u:p@[::1]:8080/simple/")[0] == "http://[::1]:8080/simple/"


def test_a_token_as_user_name_has_an_empty_password() -> None:
    assert split_userinfo("https://tok3n@host.example/")[1] == Credentials("tok3n", "")


def test_the_password_stays_out_of_repr() -> None:
    assert repr(Credentials("alice", "s3cr3t")) == "Credentials(username='alice')"


def test_basic_authorization_header() -> None:
    header = Credentials("alice", "s3cr3t").authorization()
    assert header == "Basic " + base64.b64encode(b"alice:s3cr3t").decode()


def test_default_netrc_path_follows_netrc_variable(tmp_path: Path) -> None:
    assert default_netrc_path({"NETRC": str(tmp_path / "n")}) == tmp_path / "n"
    assert default_netrc_path({}).name == ".netrc"


def test_userinfo_wins_and_is_remembered_for_its_origin(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "absent")
    assert store.resolve("https://alice:pw@host.example/simple/a/") == (
        "https://host.example/simple/a/",
        Credentials("alice", "pw"),
    )
    # A file the page lists by absolute URL on the same host gets the same credentials...
    assert store.resolve("https://host.example:443/files/a-1.0.whl") == (
        "https://host.example:443/files/a-1.0.whl",
        Credentials("alice", "pw"),
    )
    # ...but another host, scheme or port does not.
    assert store.resolve("https://files.example/a-1.0.whl")[1] is None
    assert store.resolve("http://host.example/simple/a/")[1] is None
    assert store.resolve("https://host.example:8443/simple/a/")[1] is None


def test_netrc_supplies_credentials_by_host(tmp_path: Path) -> None:
    netrc = write_netrc(
        tmp_path, "machine host.example login bob password hunter2\ndefault login anon password x\n"
    )
    store = CredentialStore(netrc)
    assert store.resolve("https://host.example/simple/") == (
        "https://host.example/simple/",
        Credentials("bob", "hunter2"),
    )
    assert store.resolve("https://elsewhere.example/simple/")[1] == Credentials("anon", "x")


def test_netrc_fills_the_password_of_a_user_named_in_the_url(tmp_path: Path) -> None:
    store = CredentialStore(write_netrc(tmp_path, "machine host.example login bob password hunter2\n"))
    assert store.resolve("https://bob@host.example/simple/")[1] == Credentials("bob", "hunter2")


def test_netrc_does_not_fill_the_password_of_another_user(tmp_path: Path) -> None:
    store = CredentialStore(write_netrc(tmp_path, "machine host.example login bob password hunter2\n"))
    assert store.resolve("https://carol@host.example/simple/")[1] == Credentials("carol", "")


def test_netrc_location_comes_from_the_environment(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path, "machine host.example login bob password hunter2\n")
    store = CredentialStore(environ={"NETRC": str(netrc)})
    assert store.resolve("https://host.example/")[1] == Credentials("bob", "hunter2")


def test_a_missing_netrc_file_means_no_credentials(tmp_path: Path) -> None:
    assert CredentialStore(tmp_path / "absent").resolve("https://host.example/")[1] is None


def test_a_malformed_netrc_names_the_file_and_line_but_not_its_tokens(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path, "machine host.example login bob\n  secretword hunter2\n")
    with pytest.raises(ConfigError) as caught:
        CredentialStore(netrc).resolve("https://host.example/")
    assert str(caught.value) == (
        f"{netrc}:2: not a valid netrc file\n"
        "  fix: each entry reads `machine HOST login USER password PASSWORD`; correct the line, "
        "or point NETRC at another file"
    )
    assert "secretword" not in str(caught.value)
    assert caught.value.exit_code == 4


def test_split_userinfo_keeps_a_port_that_is_not_a_number_as_written() -> None:
    # Messages about the bad port quote the URL; taking the credentials out must still work.
    assert split_userinfo("https://alice:pw@Host.example:abc/simple/") == (
        "https://Host.example:abc/simple/",
        Credentials("alice", "pw"),
    )


def test_a_malformed_netrc_fails_every_lookup_not_only_the_first(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path, "machine host.example login bob\n  secretword hunter2\n")
    store = CredentialStore(netrc)
    with pytest.raises(ConfigError):
        store.resolve("https://host.example/simple/a/")
    # A later request must not quietly go out without the credentials the file was meant to give.
    with pytest.raises(ConfigError) as caught:
        store.resolve("https://host.example/simple/b/")
    assert str(caught.value) == (
        f"{netrc}:2: not a valid netrc file\n"
        "  fix: each entry reads `machine HOST login USER password PASSWORD`; correct the line, "
        "or point NETRC at another file"
    )
