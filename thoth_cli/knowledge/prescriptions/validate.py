"""Whether a prescription can ever fire: satisfiable version specifiers and possible condition sets.

Thoth's knowledge base held rules no release could satisfy (`>2.4.0,<2.4.0`); they never
fired and nobody noticed. Each check here answers "can this hold for some version (or some
machine)?".

Specifiers are checked by probing: `packaging` itself judges a set of versions taken
around every version the specifiers name (the version, its pre-, post- and dev-releases,
its neighbours one up and one down in each part, and versions just after it). A
specifier's answer changes only at the versions it names, so a version satisfying it has a
probe beside it that does too: a refusal means no version satisfies it (the tests search a
dense set of versions for a counter-example).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Sequence

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from thoth_cli.knowledge.prescriptions.model import (
    ABSENT,
    EnvironmentConditions,
    OperatingSystemCondition,
    Presence,
)

_FAR = 999999
"""A part larger than any real release's, to probe just below a version (1.9999 before 2)."""

_PLATFORM_SYSTEMS = ("linux", "macos", "windows")
_MACOS_NAMES = frozenset({"macos", "darwin"})
_WINDOWS_NAMES = frozenset({"windows"})


def satisfiable(specifier: SpecifierSet, *, excluded: Sequence[SpecifierSet] = ()) -> bool:
    """Whether some version (pre-releases included) satisfies `specifier` and none of `excluded`."""
    named = [*_named(specifier), *(version for other in excluded for version in _named(other))]
    for probe in _probes(named):
        if specifier.contains(probe, prereleases=True) and not any(
            other.contains(probe, prereleases=True) for other in excluded
        ):
            return True
    return False


def _named(specifier: SpecifierSet) -> Iterator[Version]:
    """The versions a specifier names (`1.4` for `==1.4.*`, `1.4.5` and `1.5` for `~=1.4.5`)."""
    for spec in specifier:
        text = spec.version.removesuffix(".*")
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        yield version
        if spec.operator == "~=" and len(version.release) > 1:
            upper = (*version.release[:-2], version.release[-2] + 1)
            yield Version(_release_text(version.epoch, upper))


def _probes(named: Iterable[Version]) -> Iterator[Version]:
    seen: set[Version] = set()
    for version in (Version("0"), Version("0.dev0"), Version(str(_FAR))):
        seen.add(version)
        yield version
    for version in named:
        for probe in _around(version):
            if probe not in seen:
                seen.add(probe)
                yield probe


def _around(version: Version) -> Iterator[Version]:
    """Versions at, just before and just after `version`, in every part of it."""
    epoch, release = version.epoch, version.release
    base = _release_text(epoch, release)
    yield version
    for suffix in ("", ".dev0", "a0", "a1", "rc1", ".post0", ".post1", ".post1.dev0", "+probe"):
        yield Version(base + suffix)
    for index, part in enumerate(release):
        yield Version(_release_text(epoch, (*release[:index], part + 1)))
        if part > 0:
            yield Version(_release_text(epoch, (*release[:index], part - 1)))
            yield Version(_release_text(epoch, (*release[:index], part - 1, _FAR)))
    for zeros in range(len(release) + 2):
        yield Version(_release_text(epoch, (*release, *([0] * zeros), 1)))
    if version.pre is not None:
        phase, number = version.pre
        yield Version(f"{base}{phase}{number + 1}")
        if number > 0:
            yield Version(f"{base}{phase}{number - 1}")
        yield Version(f"{base}{phase}{number}.post0")
        yield Version(f"{base}{phase}{number}.dev0")
        for later in ("b", "rc"):
            if later > phase:
                yield Version(f"{base}{later}0")
    if version.post is not None:
        yield Version(f"{base}.post{version.post + 1}")
        yield Version(f"{base}.post{version.post}.dev0")
        if version.post > 0:
            yield Version(f"{base}.post{version.post - 1}")
    if version.dev is not None:
        stem = str(version).split("+", 1)[0].rsplit(".dev", 1)[0]
        yield Version(f"{stem}.dev{version.dev + 1}")
        if version.dev > 0:
            yield Version(f"{stem}.dev{version.dev - 1}")
    if version.local is not None:
        yield Version(str(version).split("+", 1)[0])


def _release_text(epoch: int, release: Sequence[int]) -> str:
    text = ".".join(str(part) for part in release)
    return f"{epoch}!{text}" if epoch else text


# -- condition sets ------------------------------------------------------------------------


def both_ways(presence: Presence) -> str | None:
    """A name listed both as present and as absent, or None."""
    absent = set(presence.absent)
    return next((name for name in presence.present if name in absent), None)


def impossible_python_packages(presence: Presence) -> str | None:
    """A package that cannot be installed as `present` says while `absent` holds, or None.

    `present: [numpy>=2]` with `absent: [numpy]` cannot hold; with `absent: [numpy<2]` it can.
    """
    present: dict[str, list[SpecifierSet]] = {}
    absent: dict[str, list[SpecifierSet]] = {}
    for texts, into in ((presence.present, present), (presence.absent, absent)):
        for text in texts:
            requirement = Requirement(text)
            into.setdefault(canonicalize_name(requirement.name), []).append(requirement.specifier)
    for name, specifiers in present.items():
        wanted = SpecifierSet(",".join(str(s) for s in specifiers if str(s)))
        if not satisfiable(wanted, excluded=absent.get(name, ())):
            return name
    return None


def impossible_environment(conditions: EnvironmentConditions) -> tuple[str, str] | None:
    """(key, reason) when no machine can meet `conditions` together, or None."""
    if conditions.cuda_version is ABSENT and isinstance(conditions.cudnn_version, SpecifierSet):
        return "cudnn_version", "cuDNN runs on a CUDA toolkit, and cuda_version: null says there is none"
    if conditions.driver_version is ABSENT and isinstance(conditions.driver_cuda_version, SpecifierSet):
        return (
            "driver_cuda_version",
            "the CUDA version a driver supports needs a driver, and driver_version: null says there is none",
        )
    if conditions.platforms is not None and conditions.operating_systems is not None:
        systems = {system for pattern in conditions.platforms for system in platform_systems(pattern)}
        if not any(_fits(system, conditions.operating_systems) for system in systems):
            names = ", ".join(os.name for os in conditions.operating_systems)
            shown = ", ".join(conditions.platforms)
            return "operating_systems", f"no platform among {shown} runs {names}"
    return None


def platform_systems(pattern: str) -> tuple[str, ...]:
    """The systems (linux, macos, windows) a platform pattern such as `macos-*` can name."""
    system = pattern.split("-", 1)[0] if "-" in pattern else pattern
    return tuple(name for name in _PLATFORM_SYSTEMS if fnmatch.fnmatchcase(name, system))


def _fits(system: str, operating_systems: Sequence[OperatingSystemCondition]) -> bool:
    names = {os.name for os in operating_systems}
    if system == "macos":
        return bool(names & _MACOS_NAMES)
    if system == "windows":
        return bool(names & _WINDOWS_NAMES)
    # Linux distributions are named by their os-release ID: anything but the other systems.
    return bool(names - _MACOS_NAMES - _WINDOWS_NAMES)
