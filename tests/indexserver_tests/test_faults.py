"""Tests of injected faults: each one does to a client what it says, as often as asked."""

from __future__ import annotations

import hashlib
import io
import threading
import time
import zipfile

import httpx
import pytest

from tests.indexserver import Fault, IndexServerFactory, Universe

WHEEL = "requests-2.31.0-py3-none-any.whl"


def test_status_fault_hits_matching_paths_the_given_number_of_times(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    rule = server.inject(Fault.status(503, headers={"Retry-After": "0"}), path="*/simple/requests/*", times=2)

    statuses = [client.get(server.project_url("requests")).status_code for _ in range(3)]
    other = client.get(server.project_url("urllib3"))

    assert statuses == [503, 503, 200]
    assert other.status_code == 200
    assert rule.hits == 2
    assert [record.fault for record in server.requests] == ["status", "status", None, None]


def test_faults_without_times_stay_until_cleared(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    server.inject(Fault.status(500))

    before = [client.get(server.url()).status_code for _ in range(3)]
    server.clear_faults()

    assert before == [500, 500, 500]
    assert client.get(server.url()).status_code == 200


def test_slow_answers_normally_after_the_delay(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    server.inject(Fault.slow(0.05), path="*/files/*", times=1)

    response = client.get(server.file_url("pypi", WHEEL))

    assert response.content == server.file_bytes("pypi", WHEEL)
    assert server.requests[-1].fault == "slow"


def test_reset_drops_the_connection_without_an_answer(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    server.inject(Fault.reset(), path="*/files/*", times=1)

    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        client.get(server.file_url("pypi", WHEEL))

    assert client.get(server.file_url("pypi", WHEEL)).status_code == 200
    assert [record.status for record in server.requests] == [0, 200]


def test_truncate_sends_fewer_bytes_than_announced(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    server.inject(Fault.truncate(100), path=f"*/{WHEEL}", times=1)
    size = len(server.file_bytes("pypi", WHEEL))

    with pytest.raises(httpx.RemoteProtocolError) as caught:
        client.get(server.file_url("pypi", WHEEL))

    assert f"received 100 bytes, expected {size}" in str(caught.value)


def test_wrong_hash_serves_a_readable_file_that_fails_its_hash(
    index_server: IndexServerFactory, universe: Universe, client: httpx.Client
) -> None:
    server = index_server({"pypi": universe})
    server.inject(Fault.wrong_hash(), path="*/files/*")

    wheel = client.get(server.file_url("pypi", WHEEL)).content
    metadata = client.get(server.metadata_url("pypi", WHEEL)).content

    assert hashlib.sha256(wheel).hexdigest() != server.sha256("pypi", WHEEL)
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        assert archive.read("requests-2.31.0.dist-info/METADATA") == server.metadata_bytes("pypi", WHEEL)
    assert metadata != server.metadata_bytes("pypi", WHEEL)
    assert metadata.rstrip() == server.metadata_bytes("pypi", WHEEL).rstrip()


def test_stopping_wakes_a_slow_answer(index_server: IndexServerFactory, universe: Universe) -> None:
    server = index_server({"pypi": universe})
    rule = server.inject(Fault.slow(600), path="*/simple/*")
    outcome: list[object] = []
    waiting = threading.Thread(target=lambda: outcome.append(_status_or_error(server.url())))
    waiting.start()
    while rule.hits == 0 and waiting.is_alive():
        time.sleep(0.01)

    server.stop()
    waiting.join()

    assert rule.hits == 1
    assert outcome == [200]


def _status_or_error(url: str) -> object:
    try:
        return httpx.get(url, timeout=600).status_code
    except httpx.HTTPError as error:
        return error
