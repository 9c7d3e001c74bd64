"""Compiling a prescription into a pipeline unit class of its type: its conditions decide whether it
joins, its match what it acts on, its run what it does.

A unit that matches packages joins once per package (configuration `package_name`), so the
runner asks it only about that package. Its `when_empty` is a configuration key too,
defaulting to what the prescription says, so that a pipeline file may override it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import cache
from typing import ClassVar

from packaging.utils import NormalizedName

from thoth_cli.index.model import PYPI_SIMPLE
from thoth_cli.knowledge.prescriptions.conditions import holds
from thoth_cli.knowledge.prescriptions.model import JustificationSpec, PackageMatch, Pin, Prescription
from thoth_cli.pipeline.context import BuilderContext, RunContext
from thoth_cli.pipeline.units import (
    Alternative,
    Boot,
    Configuration,
    NotAcceptable,
    Pseudonym,
    Scored,
    Sieve,
    SkipPackage,
    StackConflict,
    Step,
    Stride,
    Unit,
    Wrap,
    WrapAdvice,
)
from thoth_cli.resolver.candidate import Candidate
from thoth_cli.stack import Justification, PinnedPackage, Stack


class Prescribed:
    """What every prescription unit class carries: the prescription it was compiled from."""

    prescription: ClassVar[Prescription]


def _configurations(prescription: Prescription, context: BuilderContext) -> Iterator[Configuration]:
    if prescription.type == "boot":
        # Whether the project names the package is cheaper to tell than the machine's facts.
        if all(context.requires(p.name) for p in prescription.match.packages) and holds(
            prescription.name, prescription.conditions, context
        ):
            yield {}
        return
    if not holds(prescription.name, prescription.conditions, context):
        return
    names = list(dict.fromkeys(package.name for package in prescription.match.packages))
    if not names or prescription.is_stack_rule:
        yield {}
        return
    for name in names:
        yield {"package_name": name}


def _message(spec: JustificationSpec, package: str = "", version: str = "") -> str:
    return spec.message.replace("{package}", package).replace("{version}", version)


def _filled(text: str, pins: tuple[PinnedPackage, ...]) -> str:
    """`text` with `{package}` and `{version}` of the first pin (a stack-level unit's)."""
    if not pins:
        return text
    return text.replace("{package}", pins[0].display_name).replace("{version}", str(pins[0].version))


class _PackageUnit(Prescribed, Unit):
    """A unit about the releases of the packages its prescription matches."""

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        return _configurations(cls.prescription, context)

    _index_urls: dict[str, str]

    def start(self, context: RunContext) -> None:
        super().start(context)
        # An index named by URL is compared with the URL of the index a candidate came from.
        self._index_urls = {source.name: source.url.rstrip("/") for source in context.project.sources}

    def matches(self, candidate: Candidate) -> PackageMatch | None:
        return next((p for p in self.prescription.match.packages if self._fits(p, candidate)), None)

    def _fits(self, package: PackageMatch, candidate: Candidate) -> bool:
        if candidate.name != package.name:
            return False
        if package.version is not None and not package.version.contains(candidate.version, prereleases=True):
            return False
        return package.index is None or self._same_index(package.index, candidate.index)

    def _same_index(self, wanted: str, index: str) -> bool:
        if wanted == index:
            return True
        known = self._index_urls.get(index, PYPI_SIMPLE.rstrip("/") if index == "pypi" else None)
        return known is not None and known == wanted.rstrip("/")

    def said(self, candidate: Candidate) -> str:
        spec = self.prescription.run.justification
        assert spec is not None
        return _message(spec, candidate.display_name, str(candidate.version))


class PrescribedSieve(_PackageUnit, Sieve):
    """Removes the matching releases (`remove`), or leaves the package out (`skip_package`)."""

    def run(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        if self.prescription.run.skip_package:
            matched = next((c for c in candidates if self.matches(c) is not None), None)
            if matched is not None:
                raise SkipPackage(self.said(matched))
            return list(candidates)
        return [candidate for candidate in candidates if self.matches(candidate) is None]

    def reason(self, candidate: Candidate) -> str:
        return self.said(candidate)


class PrescribedStep(_PackageUnit, Step):
    """Scores the matching releases, or rejects them (`not_acceptable`)."""

    def highest_score(self) -> float:
        return max(0.0, self.prescription.run.score or 0.0)

    def run(self, candidate: Candidate) -> Scored | None:
        if self.matches(candidate) is None:
            return None
        run = self.prescription.run
        spec = run.justification
        assert spec is not None
        if run.not_acceptable:
            raise NotAcceptable(self.said(candidate), link=spec.link)
        justification = self.justification(
            spec.type, self.said(candidate), candidate=candidate, link=spec.link
        )
        return Scored(run.score or 0.0, (justification,))


class PrescribedStackRule(Prescribed, Step):
    """Keeps pins out of one stack: pins resolved together, or a package introduced by another."""

    reorders: ClassVar[bool] = False

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        return _configurations(cls.prescription, context)

    def highest_score(self) -> float:
        return 0.0

    def run(self, candidate: Candidate) -> Scored | None:
        return None

    def conflicts(self, stack: Stack) -> Iterable[StackConflict]:
        match = self.prescription.match
        if match.introduced_by is not None:
            pins = self._introduced(stack, match.packages[0], match.introduced_by)
        else:
            found = [_pinned(stack, pin) for pin in match.together]
            pins = [p for p in found if p is not None] if all(found) else []
        if not pins:
            return ()
        spec = self.prescription.run.justification
        assert spec is not None
        first = pins[0]
        justification = self.justification(
            spec.type, _message(spec, first.display_name, str(first.version)), link=spec.link
        )
        return (StackConflict(tuple((pin.name, pin.version) for pin in pins), justification),)

    @staticmethod
    def _introduced(stack: Stack, child: PackageMatch, parent: Pin) -> list[PinnedPackage]:
        package = _pinned(stack, Pin(child.name, child.version))
        introducer = _pinned(stack, parent)
        if package is None or introducer is None:
            return []
        if not any(edge.parent == introducer.name for edge in stack.dependents_of(package.name)):
            return []
        return [package, introducer]


class PrescribedPseudonym(_PackageUnit, Pseudonym):
    """Offers another package, version or index for the matching releases."""

    def run(self, candidate: Candidate) -> Iterable[Alternative]:
        alternative = self.prescription.run.alternative
        if alternative is None or self.matches(candidate) is None:
            return ()
        return (alternative,)


class _StackUnit(Prescribed, Unit):
    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        return _configurations(cls.prescription, context)

    def pins_held(self, stack: Stack) -> tuple[PinnedPackage, ...] | None:
        """The stack's pins of the listed ones when it holds them all (none listed: ()); else None."""
        found = [_pinned(stack, pin) for pin in self.prescription.match.stack]
        held = tuple(package for package in found if package is not None)
        return held if len(held) == len(found) else None

    def said(self, spec: JustificationSpec, pins: tuple[PinnedPackage, ...]) -> Justification:
        return self.justification(spec.type, _filled(spec.message, pins), link=spec.link)


class PrescribedStride(_StackUnit, Stride):
    """Scores the stacks holding every listed pin, or discards them (`not_acceptable`)."""

    def highest_score(self) -> float:
        return max(0.0, self.prescription.run.score or 0.0)

    def run(self, stack: Stack) -> Scored | None:
        pins = self.pins_held(stack)
        if pins is None:
            return None
        run = self.prescription.run
        spec = run.justification
        assert spec is not None
        justification = self.said(spec, pins)
        if run.not_acceptable:
            raise NotAcceptable(justification.message, link=spec.link)
        return Scored(run.score or 0.0, (justification,))


class PrescribedWrap(_StackUnit, Wrap):
    """Adds its justification, environment variables and manifest changes to the stacks it matches."""

    def run(self, stack: Stack) -> WrapAdvice | None:
        pins = self.pins_held(stack)
        if pins is None:
            return None
        run = self.prescription.run
        spec = run.justification
        assert spec is not None
        return WrapAdvice(
            justifications=(self.said(spec, pins),),
            environment=dict(run.advised_environment),
            manifest_changes=tuple(
                replace(change, reason=_filled(change.reason, pins))
                for change in run.advised_manifest_changes
            ),
        )


class PrescribedBoot(Prescribed, Boot):
    """Adds stack information, or stops the run (`not_acceptable`), for the projects it matches."""

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        return _configurations(cls.prescription, context)

    def run(self) -> Iterable[Justification]:
        run = self.prescription.run
        names = [package.name for package in self.prescription.match.packages]
        package = _display(self, names[0]) if names else ""
        if run.not_acceptable:
            assert run.justification is not None
            raise NotAcceptable(_message(run.justification, package), link=run.justification.link)
        return tuple(
            self.justification(info.type, _message(info, package), link=info.link) for info in run.stack_info
        )


def _display(unit: Unit, name: NormalizedName) -> str:
    """The package as the project's manifest spells it."""
    requirement = next((r for r in unit.context.project.requirements if r.name == name), None)
    return requirement.display_name if requirement is not None else name


def _pinned(stack: Stack, pin: Pin) -> PinnedPackage | None:
    package = stack.get(pin.name)
    if package is None:
        return None
    if pin.version is not None and not pin.version.contains(package.version, prereleases=True):
        return None
    return package


_BASES: dict[str, type[Unit]] = {
    "boot": PrescribedBoot,
    "pseudonym": PrescribedPseudonym,
    "sieve": PrescribedSieve,
    "step": PrescribedStep,
    "stride": PrescribedStride,
    "wrap": PrescribedWrap,
}


@cache
def compile_prescription(prescription: Prescription) -> type[Unit]:
    """The unit class of `prescription`: named as it is, described by it, linked to its source."""
    base = PrescribedStackRule if prescription.is_stack_rule else _BASES[prescription.type]
    configuration: dict[str, object] = {}
    if prescription.match.packages and prescription.type != "boot" and not prescription.is_stack_rule:
        configuration["package_name"] = ""
    removes = prescription.run.remove or (prescription.type == "step" and prescription.run.not_acceptable)
    if removes and not prescription.is_stack_rule:
        configuration["when_empty"] = prescription.run.when_empty
    title = "".join(part.capitalize() for part in prescription.name.split("-"))
    class_name = f"{title}{base.kind.capitalize()}"
    attributes: dict[str, object] = {
        "__module__": __name__,
        "__qualname__": class_name,
        "__doc__": f"{prescription.description}\n\nFrom {prescription.source}:{prescription.line}.",
        "name": prescription.name,
        "description": prescription.description,
        "link": prescription.link,
        "prescription": prescription,
        "CONFIGURATION_DEFAULT": configuration,
    }
    if base is PrescribedStep:
        # A step that only rejects keeps the newest-first order, so the resolver need not read
        # every release to order them.
        attributes["reorders"] = prescription.run.score is not None
    return type(class_name, (base,), attributes)


def is_prescribed(cls: type[Unit]) -> bool:
    return issubclass(cls, Prescribed)
