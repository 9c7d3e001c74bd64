"""Tests for choosing the run's indexes: manifest sources, --index-url, and checking their URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from thoth_cli.errors import ConfigError, Location
from thoth_cli.index.model import IndexSpec
from thoth_cli.index.sources import index_specs
from thoth_cli.project.model import Source

PORT_FIX = (
    "  fix: write the port as digits after the host, e.g. https://host.example:8443/simple, or leave it out"
)


def test_a_valid_port_is_kept() -> None:
    assert index_specs([], index_url="https://host.example:8443/simple", environ={}) == (
        IndexSpec("pypi", "https://host.example:8443/simple/"),
    )


@pytest.mark.parametrize("port", ["abc", "99999", "-1"])
def test_a_port_that_is_not_a_number_in_range_is_a_config_error(port: str) -> None:
    with pytest.raises(ConfigError) as caught:
        index_specs([], index_url=f"https://host.example:{port}/simple", environ={})
    assert str(caught.value) == (
        f"--index-url: the index URL's port is not a number from 0 to 65535: https://host.example:{port}/simple"
        f"\n{PORT_FIX}"
    )
    assert caught.value.exit_code == 4


def test_a_bad_port_is_reported_without_the_credentials() -> None:
    with pytest.raises(ConfigError) as caught:
        index_specs([], index_url="https://alice:s3cr3t@host.example:abc/simple", environ={})
    assert str(caught.value) == (
        f"--index-url: the index URL's port is not a number from 0 to 65535: https://host.example:abc/simple"
        f"\n{PORT_FIX}"
    )


def test_a_bad_port_in_a_manifest_source_names_the_manifest() -> None:
    origin = Location(Path("Pipfile"), line=3, key="source.url")
    source = Source("private", "https://host.example:8o80/simple", origin=origin)
    with pytest.raises(ConfigError) as caught:
        index_specs([source], environ={})
    assert str(caught.value) == (
        "Pipfile:3 [source.url]: the index URL's port is not a number from 0 to 65535: "
        f"https://host.example:8o80/simple\n{PORT_FIX}"
    )


def test_a_bad_port_from_an_environment_variable_is_caught_once_expanded() -> None:
    with pytest.raises(ConfigError) as caught:
        index_specs([], index_url="https://${HOST}/simple", environ={"HOST": "host.example:x"})
    assert caught.value.problem == "the index URL's port is not a number from 0 to 65535"
    assert caught.value.text == "https://host.example:x/simple"


def test_unbalanced_ipv6_brackets_are_not_an_index_url() -> None:
    with pytest.raises(ConfigError) as caught:
        index_specs([], index_url="https://alice:s3cr3t@[::1/simple", environ={})
    assert str(caught.value) == (
        "--index-url: not an index URL: https://[::1/simple\n"
        "  fix: give the index's full URL, e.g. https://pypi.org/simple"
    )


def test_an_extra_index_url_is_named_as_such() -> None:
    with pytest.raises(ConfigError) as caught:
        index_specs([], extra_index_urls=["https://host.example:abc/simple"], environ={})
    assert str(caught.value) == (
        "--extra-index-url: the index URL's port is not a number from 0 to 65535: "
        f"https://host.example:abc/simple\n{PORT_FIX}"
    )


def test_a_manifest_source_without_a_known_line_is_named_by_its_name() -> None:
    # requirements files and Poetry give no location for their sources; the message must not blame a flag.
    with pytest.raises(ConfigError) as caught:
        index_specs([Source("private", "ftp://host.example/simple")], environ={})
    assert str(caught.value) == (
        "the manifest [source 'private']: not an index URL: ftp://host.example/simple\n"
        "  fix: give the index's full URL, e.g. https://pypi.org/simple"
    )
