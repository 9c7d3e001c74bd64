"""Whether a prescription's `should_include` conditions hold for a request.

The rule for facts: the target (`BuilderContext.target`) decides the Python version and
the platform, always. Everything else comes from the runtime environment. With no
environment (a target that was neither probed nor described), every other machine
condition is unknown, and an unknown fact holds no condition: the unit stays out (with a
debug note on the `thoth_cli.knowledge.prescriptions` logger). With an environment, a part
discovery did not find is absent: no CUDA toolkit, no cuDNN, no NVIDIA driver - so
`cuda_version: null` holds there. The CPU, the GPUs, the system and Python packages are
lists that discovery either read or could not read (None): unread, no condition on them
holds, `absent:` included. On the running machine a system package is also present when an
executable of that name is on PATH (`git`, `pg_config`).

Conditions are tested cheapest first, so that the machine is discovered and the sources
scanned only for units whose other conditions hold.
"""

from __future__ import annotations

import fnmatch
import logging
import shutil
from collections.abc import Iterable

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.discovery.model import Gpu, RuntimeEnvironment
from thoth_cli.knowledge.prescriptions.model import (
    ABSENT,
    Conditions,
    CpuCondition,
    EnvironmentConditions,
    GpuCondition,
    OperatingSystemCondition,
    Presence,
    VersionCondition,
)
from thoth_cli.pipeline.context import BuilderContext
from thoth_cli.target import Platform

log = logging.getLogger("thoth_cli.knowledge.prescriptions")

_SPELLINGS = {"aarch64": "arm64", "arm64": "aarch64", "amd64": "x86_64"}
"""Another spelling of an architecture: Linux says aarch64 where macOS and Windows say arm64, and
Windows amd64 where the others say x86_64."""

_SYSTEM_NAMES = {"darwin": "macos"}


def holds(unit: str, conditions: Conditions, context: BuilderContext) -> bool:
    """Whether every condition given holds for `context`; `unit` names the unit in debug notes."""
    wanted = conditions.environment
    if conditions.recommendation_types is not None and (
        context.recommendation_type not in conditions.recommendation_types
    ):
        return False
    if any(context.labels.get(key) != value for key, value in conditions.labels):
        return False
    if wanted.python_version is not None and not _contains(
        wanted.python_version, ".".join(map(str, context.target.python_version))
    ):
        return False
    if wanted.platforms is not None and not platform_matches(context.target.platform, wanted.platforms):
        return False
    if wanted.needs_machine:
        environment = context.runtime_environment()
        if environment is None:
            log.debug("unit %s stays out: it asks about the machine, and the machine is not known", unit)
            return False
        if not machine_matches(wanted, environment):
            return False
    usage_wanted = conditions.library_usage
    if usage_wanted is not None:
        usage = context.library_usage()
        if usage is None:
            log.debug(
                "unit %s stays out: it asks about library usage, and the sources were not scanned", unit
            )
            return False
        if usage_wanted.require_all:
            return usage.uses_all(usage_wanted.symbols)
        return usage.uses_any(usage_wanted.symbols)
    return True


def platform_names(platform: Platform) -> frozenset[str]:
    """The names a platform answers to in `platforms:` (`linux-x86_64`, `windows-amd64`...)."""
    spellings = {platform.arch, _SPELLINGS.get(platform.arch, platform.arch)}
    return frozenset(f"{platform.os}-{arch}" for arch in spellings)


def platform_matches(platform: Platform, patterns: Iterable[str]) -> bool:
    names = platform_names(platform)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


def machine_matches(wanted: EnvironmentConditions, environment: RuntimeEnvironment) -> bool:
    """Whether the machine's facts meet every machine condition given."""
    driver = environment.nvidia_driver
    toolkit = environment.cuda_toolkit
    cudnn = environment.cudnn
    checks = (
        wanted.operating_systems is None or _system_matches(wanted.operating_systems, environment),
        _version_matches(wanted.cuda_version, toolkit is None, None if toolkit is None else toolkit.version),
        _version_matches(
            wanted.driver_cuda_version,
            driver is None or driver.cuda is None,
            None if driver is None else driver.cuda,
        ),
        _version_matches(wanted.cudnn_version, cudnn is None, None if cudnn is None else cudnn.version),
        _version_matches(wanted.driver_version, driver is None, None if driver is None else driver.version),
        wanted.cpu_flags is None or _flags_match(wanted.cpu_flags, environment),
        wanted.cpu is None or _cpu_matches(wanted.cpu, environment),
        wanted.gpu is None or _gpu_matches(wanted.gpu, environment.gpus),
        wanted.base_images is None or _image_matches(wanted.base_images, environment),
        wanted.system_packages is None or _system_packages_match(wanted.system_packages, environment),
        wanted.python_packages is None or _python_packages_match(wanted.python_packages, environment),
    )
    return all(checks)


def _contains(specifier: SpecifierSet, text: str | None) -> bool:
    if text is None:
        return False
    try:
        version = Version(text)
    except InvalidVersion:
        return False
    return specifier.contains(version, prereleases=True)


def _version_matches(wanted: VersionCondition, absent: bool, version: str | None) -> bool:
    if wanted is None:
        return True
    if wanted is ABSENT:
        return absent
    return _contains(wanted, version)


def _system_matches(wanted: tuple[OperatingSystemCondition, ...], environment: RuntimeEnvironment) -> bool:
    system = environment.os
    if system is None or system.id is None:
        return False
    name = _SYSTEM_NAMES.get(system.id.lower(), system.id.lower())
    return any(
        _SYSTEM_NAMES.get(entry.name, entry.name) == name
        and (entry.version is None or _contains(entry.version, system.version))
        for entry in wanted
    )


def _flags_match(wanted: Presence, environment: RuntimeEnvironment) -> bool:
    # No flags read (py-cpuinfo on some systems gives none) is not "every flag absent": a CPU
    # without AVX would be assumed, and every TensorFlow removed.
    if environment.cpu is None or not environment.cpu.flags:
        return False
    flags = environment.cpu.flags
    return all(flag in flags for flag in wanted.present) and not any(flag in flags for flag in wanted.absent)


def _cpu_matches(wanted: CpuCondition, environment: RuntimeEnvironment) -> bool:
    cpu = environment.cpu
    if cpu is None:
        return False
    return (
        (not wanted.vendors or cpu.vendor in wanted.vendors)
        and (not wanted.families or cpu.family in wanted.families)
        and (not wanted.models or cpu.model in wanted.models)
    )


def _gpu_matches(wanted: GpuCondition, gpus: tuple[Gpu, ...] | None) -> bool:
    return gpus is not None and any(_one_gpu(wanted, gpu) for gpu in gpus)


def _one_gpu(wanted: GpuCondition, gpu: Gpu) -> bool:
    # nvidia-smi names a model with its maker and memory ("Tesla V100-SXM2-16GB"): a listed
    # model matches the name it is part of.
    model = gpu.model.lower()
    if wanted.models and not any(fnmatch.fnmatchcase(model, f"*{text.lower()}*") for text in wanted.models):
        return False
    return wanted.compute_capability is None or _contains(wanted.compute_capability, gpu.compute_capability)


def _image_matches(patterns: tuple[str, ...], environment: RuntimeEnvironment) -> bool:
    image = environment.base_image
    return image is not None and any(fnmatch.fnmatchcase(image, pattern) for pattern in patterns)


def _system_packages_match(wanted: Presence, environment: RuntimeEnvironment) -> bool:
    packages = environment.system_packages
    if packages is None and not environment.host:
        return False
    names = {package.name for package in packages or ()}

    def present(name: str) -> bool:
        return name in names or (environment.host and shutil.which(name) is not None)

    return all(present(name) for name in wanted.present) and not any(present(name) for name in wanted.absent)


def _python_packages_match(wanted: Presence, environment: RuntimeEnvironment) -> bool:
    installed = environment.python_packages
    if installed is None:
        return False
    versions: dict[str, list[str]] = {}
    for package in installed:
        versions.setdefault(canonicalize_name(package.name), []).append(package.version)

    def present(text: str) -> bool:
        requirement = Requirement(text)
        found = versions.get(canonicalize_name(requirement.name), [])
        if not str(requirement.specifier):
            return bool(found)
        return any(_contains(requirement.specifier, version) for version in found)

    return all(present(text) for text in wanted.present) and not any(present(text) for text in wanted.absent)
