"""The report of a pipeline run: every stack found with its scores, reasons and advice, as JSON.

Schema "thoth.report/1" (documented in the README): keys in a fixed order, so two reports
of the same inputs are byte-identical.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.model import PipelineUnits
from thoth_cli.pipeline.search import FoundStack, SearchResult
from thoth_cli.pipeline.units import Unit
from thoth_cli.stack import Justification, PinnedPackage

SCHEMA = "thoth.report/1"


@dataclass(frozen=True)
class Report:
    """What `advise` found: the stacks best first, the units that ran and what the search spent."""

    recommendation_type: RecommendationType
    target: Mapping[str, object]
    search: SearchResult
    units: PipelineUnits

    @property
    def stacks(self) -> tuple[FoundStack, ...]:
        return self.search.stacks

    @property
    def best(self) -> FoundStack:
        return self.search.stacks[0]

    def as_dict(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "recommendation_type": self.recommendation_type.value,
            "target": dict(self.target),
            "resolves": self.search.resolves,
            "limit_reached": self.search.limit_reached,
            "stopped": self.search.stopped,
            "pipeline": pipeline_dict(self.units),
            "stack_info": [justification_dict(j) for j in self.search.stack_info],
            "stacks": [stack_dict(found) for found in self.search.stacks],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"


def pipeline_dict(units: PipelineUnits) -> dict[str, list[dict[str, object]]]:
    return {
        "boots": [_unit(u) for u in units.boots],
        "pseudonyms": [_unit(u) for u in units.pseudonyms],
        "sieves": [_unit(u) for u in units.sieves],
        "steps": [_unit(u) for u in units.steps],
        "strides": [_unit(u) for u in units.strides],
        "wraps": [_unit(u) for u in units.wraps],
    }


def _unit(unit: Unit) -> dict[str, object]:
    return {"name": unit.name, "configuration": {k: plain(v) for k, v in sorted(unit.configuration.items())}}


def plain(value: object) -> object:
    """A unit's configuration value as JSON holds it (sets and tuples as lists, the rest as text)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return str(value)


def stack_dict(found: FoundStack) -> dict[str, object]:
    stack = found.stack
    environment: dict[str, str] = {}
    changes: list[dict[str, object]] = []
    for advice in found.advice:
        environment.update(advice.environment)
        changes.extend(
            {"action": c.action, "package": c.package, "requirement": c.requirement, "reason": c.reason}
            for c in advice.manifest_changes
        )
    return {
        "score": round(stack.score, 6),
        "justifications": [justification_dict(j) for j in stack.justifications],
        "packages": [package_dict(p) for p in stack.packages],
        "skipped_dependencies": list(stack.skipped_dependencies),
        "skipped": [{"name": name, "reason": reason} for name, reason in stack.skipped],
        "advice": {"environment": dict(sorted(environment.items())), "manifest_changes": changes},
    }


def package_dict(package: PinnedPackage) -> dict[str, object]:
    return {
        "name": package.display_name,
        "version": str(package.version),
        "index": package.index.display_url,
        "direct": package.direct,
        "groups": sorted(str(g) for g in package.groups),
        "score": round(package.score, 6),
        "justifications": [justification_dict(j) for j in package.justifications],
    }


def justification_dict(justification: Justification) -> dict[str, object]:
    return {
        "type": justification.type.value,
        "message": justification.message,
        "link": justification.link,
        "package": justification.package,
        "version": justification.version,
        "unit": justification.unit,
    }
