"""The Project model: how a requirement is shown, and URL credentials kept out of it."""

from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from thoth_cli.project.model import ProjectRequirement, normalize, redact_userinfo


def direct(
    url: str, *, marker: str | None = None, extras: frozenset[str] = frozenset()
) -> ProjectRequirement:
    return ProjectRequirement(
        name=normalize("Pkg"),
        display_name="Pkg",
        url=url,
        marker=Marker(marker) if marker else None,
        extras=extras,
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://alice:s3cret@host.example/pkg-1.0-py3-none-any.whl",
            "https://alice:****@host.example/pkg-1.0-py3-none-any.whl",
        ),
        ("git+https://ghp_TOKEN@github.com/o/r.git@v1#egg=r", "git+https://****@github.com/o/r.git@v1#egg=r"),
        ("git+ssh://git@github.com/o/r.git@main", "git+ssh://git@github.com/o/r.git@main"),
        ("git+ssh://git:pw@git.example/o/r.git", "git+ssh://git:****@git.example/o/r.git"),
        ("https://alice:p@ss@host.example/x.tar.gz", "https://alice:****@host.example/x.tar.gz"),
        ("https://alice:@host.example:8443/x.zip", "https://alice:****@host.example:8443/x.zip"),
        ("https://host.example/x.whl?token=a@b", "https://host.example/x.whl?token=a@b"),
        ("file:///srv/wheels/pkg-1.0-py3-none-any.whl", "file:///srv/wheels/pkg-1.0-py3-none-any.whl"),
        ("https://tok@[::1/x.whl", "https://****@[::1/x.whl"),
    ],
)
def test_redact_userinfo_hides_the_password_or_token(url: str, shown: str) -> None:
    assert redact_userinfo(url) == shown


def test_a_direct_reference_is_shown_without_its_credentials() -> None:
    req = direct(
        "git+https://deploy:hunter2@git.example/o/r.git", marker='os_name == "posix"', extras=frozenset({"a"})
    )
    assert str(req) == 'Pkg[a] @ git+https://deploy:****@git.example/o/r.git ; os_name == "posix"'


def test_the_shown_requirement_still_reads_as_pep_508() -> None:
    shown = str(direct("https://ghp_TOKEN@host.example/pkg-1.0.tar.gz", marker='python_version >= "3.8"'))
    parsed = Requirement(shown)
    assert (parsed.name, parsed.url) == ("Pkg", "https://****@host.example/pkg-1.0.tar.gz")
