"""The units thoth ships, in pipeline order: `BUILTIN_UNITS`."""

from __future__ import annotations

from thoth_cli.pipeline.builtin.binary_wheel import BinaryWheelStep
from thoth_cli.pipeline.builtin.newest_first import NewestFirstStep
from thoth_cli.pipeline.builtin.release_age import ReleaseAgeStep
from thoth_cli.pipeline.builtin.tensorflow_30990 import TensorFlow30990Sieve
from thoth_cli.pipeline.builtin.vulnerabilities import VulnerabilitiesStep
from thoth_cli.pipeline.builtin.vulnerability_report import VulnerabilityReportWrap
from thoth_cli.pipeline.builtin.vulnerable_stack import VulnerableStackStride
from thoth_cli.pipeline.builtin.yanked import YankedStep
from thoth_cli.pipeline.units import Unit

BUILTIN_UNITS: tuple[type[Unit], ...] = (
    TensorFlow30990Sieve,
    # Rejections first, so that a release about to be rejected is not scored for nothing.
    VulnerabilitiesStep,
    YankedStep,
    BinaryWheelStep,
    ReleaseAgeStep,
    NewestFirstStep,
    VulnerableStackStride,
    VulnerabilityReportWrap,
)

__all__ = [
    "BUILTIN_UNITS",
    "BinaryWheelStep",
    "NewestFirstStep",
    "ReleaseAgeStep",
    "TensorFlow30990Sieve",
    "VulnerabilitiesStep",
    "VulnerabilityReportWrap",
    "VulnerableStackStride",
    "YankedStep",
]
