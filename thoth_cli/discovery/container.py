"""The container probe: whether the environment runs in a container, and under which runtime."""

from __future__ import annotations

import re

from thoth_cli.discovery.model import Container
from thoth_cli.discovery.probe import ProbeContext, probe

_CGROUP_RUNTIMES = (
    ("kubepods", "kubernetes"),
    ("libpod", "podman"),
    ("docker", "docker"),
    ("containerd", "containerd"),
    ("lxc", "lxc"),
)
"""Words in /proc/1/cgroup and the runtime each betrays, most specific first."""


@probe("container")
def container(ctx: ProbeContext) -> Container:
    """What shows a container: Kubernetes' variables, the init's cgroup, the runtimes' marker files.

    An image root without such marks is still a container's root, whatever runs it.
    """
    if ctx.environ.get("KUBERNETES_SERVICE_HOST"):
        return Container(True, "kubernetes", "KUBERNETES_SERVICE_HOST is set")
    cgroup = ctx.fs.read_text("/proc/1/cgroup", limit=64 * 1024) or ""
    for word, runtime in _CGROUP_RUNTIMES:
        if re.search(rf"\b{word}\b", cgroup):
            return Container(True, runtime, f"/proc/1/cgroup names {word}")
    if ctx.fs.exists("/run/.containerenv"):
        return Container(True, "podman", "/run/.containerenv exists")
    if ctx.fs.exists("/.dockerenv"):
        return Container(True, "docker", "/.dockerenv exists")
    marker = (ctx.fs.read_text("/run/systemd/container", limit=256) or "").strip()
    if marker:
        return Container(True, marker, "/run/systemd/container names it")
    variable = ctx.environ.get("container", "").strip()
    if variable:
        return Container(True, variable, "the container variable is set")
    if not ctx.host:
        return Container(True, None, "an image root runs in a container")
    return Container(False)
