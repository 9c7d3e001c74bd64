"""Fixtures for the tests of the test index: a plain HTTP client and a small universe."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.indexserver import Universe


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


@pytest.fixture
def universe() -> Universe:
    universe = Universe.parse("urllib3 1.26.18 2.0.7")
    universe.add(
        "Requests",
        "2.31.0",
        requires_dist=["urllib3>=1.21.1,<3", "PySocks>=1.5.6,!=1.5.7; extra == 'socks'"],
        requires_python=">=3.7,<4",
        yanked="bad <release> & co",
        upload_time="2023-05-22T15:12:44Z",
    )
    universe.add("unadvertised", "1.0", metadata="unadvertised", sdist=False)
    universe.add("missing", "1.0", metadata="missing", sdist=False)
    return universe
