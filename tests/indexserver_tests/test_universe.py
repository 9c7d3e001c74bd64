"""Tests of package descriptions: the compact form, validation, derived extras, yanking."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.indexserver import Universe, UniverseError


def test_parse_keeps_commas_inside_specifiers() -> None:
    universe = Universe.parse(
        """
        # a comment
        requests 2.31.0: urllib3>=1.21.1,<3, idna>=2.5, PySocks>=1.5.6,!=1.5.7; extra == 'socks'
        urllib3 1.26.18 2.0.7
        """
    )

    (requests,) = universe.releases("requests")
    assert requests.requires_dist == (
        "urllib3>=1.21.1,<3",
        "idna>=2.5",
        "PySocks>=1.5.6,!=1.5.7; extra == 'socks'",
    )
    assert requests.provides_extra == ("socks",)
    assert [r.version for r in universe.releases("urllib3")] == ["1.26.18", "2.0.7"]
    assert (requests.wheels, requests.sdist) == (("py3-none-any",), True)


def test_parse_names_the_bad_line() -> None:
    with pytest.raises(UniverseError) as caught:
        Universe.parse("requests 2.31.0\nurllib3")
    assert str(caught.value) == "line 2: expected '<name> <version...>[: <requirements>]': 'urllib3'"


@pytest.mark.parametrize(
    ("add", "message"),
    [
        (lambda u: u.add("not a name", "1.0"), "invalid project name: 'not a name'"),
        (lambda u: u.add("demo", "one"), "invalid version: 'one'"),
        (lambda u: u.add("demo", "1.0", requires_dist=["idna >>1"]), "invalid requirement: 'idna >>1'"),
        (lambda u: u.add("demo", "1.0", wheels=["py3-none"]), "invalid wheel tag: 'py3-none'"),
        (
            lambda u: u.add("demo", "1.0", wheels="py3-none-any"),
            "wheels takes a list of strings, not one string: 'py3-none-any'",
        ),
        (
            lambda u: u.add("demo", "1.0", upload_time="2023-05-22 15:12:44"),
            "upload_time must be UTC ISO 8601 ending in 'Z': '2023-05-22 15:12:44'",
        ),
    ],
)
def test_add_rejects_what_no_index_could_serve(add: Callable[[Universe], object], message: str) -> None:
    with pytest.raises(UniverseError) as caught:
        add(Universe())
    assert str(caught.value) == message


def test_a_release_cannot_be_added_twice() -> None:
    universe = Universe()
    universe.add("demo", "1.0")
    with pytest.raises(UniverseError) as caught:
        universe.add("Demo", "1.0.0")
    assert str(caught.value) == "release already in the universe: 'Demo 1.0.0'"


def test_yank_changes_the_generation_and_keeps_the_rest() -> None:
    universe = Universe()
    added = universe.add("demo", "1.0", requires_dist=["idna"])
    before = universe.generation

    yanked = universe.yank("demo", "1.0", "broken build")

    assert universe.generation > before
    assert yanked.yanked == "broken build"
    assert yanked.requires_dist == added.requires_dist
