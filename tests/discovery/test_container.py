"""Whether a root runs in a container, and which runtime's marks show it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.discovery.conftest import FakeRoot, FakeTools, host_context, image_context
from thoth_cli.discovery.container import container
from thoth_cli.discovery.model import Container
from thoth_cli.discovery.probe import ProbeContext


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"/.dockerenv": ""}, Container(True, "docker", "/.dockerenv exists")),
        (
            {"/run/.containerenv": 'engine="podman-4.9.3"\n'},
            Container(True, "podman", "/run/.containerenv exists"),
        ),
        (
            {"/proc/1/cgroup": "0::/kubepods.slice/kubepods-besteffort.slice/cri-containerd-5a1b.scope\n"},
            Container(True, "kubernetes", "/proc/1/cgroup names kubepods"),
        ),
        (
            {"/proc/1/cgroup": "12:memory:/docker/4f2a9c\n0::/\n"},
            Container(True, "docker", "/proc/1/cgroup names docker"),
        ),
        (
            {"/run/systemd/container": "systemd-nspawn\n"},
            Container(True, "systemd-nspawn", "/run/systemd/container names it"),
        ),
        ({"/proc/1/cgroup": "0::/init.scope\n"}, Container(False)),
    ],
)
def test_a_machine_shows_its_container(
    root: FakeRoot, tools: FakeTools, files: dict[str, str], expected: Container
) -> None:
    for path, content in files.items():
        root.write(path, content)
    assert container(host_context(root, tools)) == expected


def test_kubernetes_is_told_by_its_variables(root: FakeRoot) -> None:
    ctx = ProbeContext.create(root.fs, environ={"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, host=True)
    assert container(ctx) == Container(True, "kubernetes", "KUBERNETES_SERVICE_HOST is set")


def test_an_image_runs_in_a_container_whatever_runs_it(root: FakeRoot) -> None:
    assert container(image_context(root)) == Container(True, None, "an image root runs in a container")


@pytest.mark.skipif(not Path("/.dockerenv").exists(), reason="this machine is no Docker container")
def test_this_docker_container() -> None:
    found = container(ProbeContext.create())
    assert found is not None and found.in_container
