"""Tests for the index client's values: redacting credentials from the URLs they hold."""

from __future__ import annotations

import pytest

from thoth_cli.index.model import redact


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://alice:s3cr3t@host.example/simple/", "https://host.example/simple/"),
        ("https://tok3n@host.example:8443/simple/?q=1", "https://host.example:8443/simple/?q=1"),
        ("http://alice:s3cr3t@[::1]:8080/simple/", "http://[::1]:8080/simple/"),
        ("https://alice:s3cr3t@[2001:db8::1]/simple/", "https://[2001:db8::1]/simple/"),
        ("https://host.example/simple/", "https://host.example/simple/"),
        ("https://host.example/simple/a@b/", "https://host.example/simple/a@b/"),
    ],
)
def test_redact_removes_only_the_userinfo(url: str, shown: str) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # Error messages about exactly these URLs quote them through redact.
        ("https://alice:s3cr3t@host.example:abc/simple/", "https://host.example:abc/simple/"),
        ("https://alice:s3cr3t@host.example:99999/simple/", "https://host.example:99999/simple/"),
        ("https://alice:s3cr3t@[::1/simple/", "https://[::1/simple/"),
    ],
)
def test_redact_also_cleans_malformed_urls(url: str, shown: str) -> None:
    assert redact(url) == shown
