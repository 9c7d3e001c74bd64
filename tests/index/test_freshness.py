"""Tests for the HTTP freshness rules of cached index pages."""

from __future__ import annotations

import pytest

from thoth_cli.index.freshness import (
    current_age,
    freshness_lifetime,
    is_fresh,
    is_storable,
    parse_cache_control,
)


def test_parse_cache_control_lowercases_names_and_unquotes_arguments() -> None:
    assert parse_cache_control('Max-Age=600, PUBLIC, no-cache="set-cookie, x-a"') == {
        "max-age": "600",
        "public": None,
        "no-cache": "set-cookie, x-a",
    }


def test_parse_cache_control_keeps_the_first_of_repeated_directives() -> None:
    assert parse_cache_control("max-age=10, max-age=99") == {"max-age": "10"}


@pytest.mark.parametrize("value", [None, "", " , ,"])
def test_parse_cache_control_of_nothing_is_empty(value: str | None) -> None:
    assert parse_cache_control(value) == {}


def test_max_age_gives_the_lifetime() -> None:
    assert freshness_lifetime({"cache-control": "max-age=600, public"}, default_ttl=5) == 600


def test_no_cache_means_always_revalidate_even_with_max_age() -> None:
    assert freshness_lifetime({"cache-control": "no-cache, max-age=600"}, default_ttl=5) == 0


@pytest.mark.parametrize("value", ["max-age=-1", "max-age=soon", "max-age"])
def test_an_invalid_max_age_makes_the_page_stale(value: str) -> None:
    assert freshness_lifetime({"cache-control": value}, default_ttl=5) == 0


def test_expires_minus_date_gives_the_lifetime_without_max_age() -> None:
    headers = {"date": "Tue, 01 Oct 2024 10:00:00 GMT", "expires": "Tue, 01 Oct 2024 10:05:00 GMT"}
    assert freshness_lifetime(headers, default_ttl=5) == 300


def test_an_invalid_expires_means_already_expired() -> None:
    assert freshness_lifetime({"date": "Tue, 01 Oct 2024 10:00:00 GMT", "expires": "0"}, default_ttl=5) == 0


def test_max_age_wins_over_expires() -> None:
    headers = {
        "cache-control": "max-age=60",
        "date": "Tue, 01 Oct 2024 10:00:00 GMT",
        "expires": "Tue, 01 Oct 2024 12:00:00 GMT",
    }
    assert freshness_lifetime(headers, default_ttl=5) == 60


def test_without_caching_headers_the_default_ttl_applies() -> None:
    assert freshness_lifetime({"content-type": "text/html", "etag": '"x"'}, default_ttl=600) == 600


def test_a_cache_control_without_freshness_directives_falls_back_to_the_ttl() -> None:
    assert freshness_lifetime({"cache-control": "public"}, default_ttl=42) == 42


def test_age_counts_the_age_header_and_the_time_stored() -> None:
    assert current_age({"age": "30"}, stored_at=1000.0, now=1010.0) == 40


def test_age_never_goes_negative_when_the_clock_moves_back() -> None:
    assert current_age({}, stored_at=1000.0, now=900.0) == 0


def test_is_fresh_until_the_lifetime_is_used_up() -> None:
    headers = {"cache-control": "max-age=100", "age": "10"}
    assert is_fresh(headers, stored_at=0.0, now=89.0, default_ttl=0)
    assert not is_fresh(headers, stored_at=0.0, now=90.0, default_ttl=0)


def test_no_store_forbids_storing() -> None:
    assert not is_storable({"cache-control": "private, no-store"})
    assert is_storable({"cache-control": "no-cache"})
    assert is_storable({})
