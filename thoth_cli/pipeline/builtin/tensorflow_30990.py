"""The `tensorflow-30990` sieve: removes TensorFlow 2.0.0 from projects using LSTM with ModelCheckpoint."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from packaging.utils import canonicalize_name

from thoth_cli.pipeline.builtin import checks
from thoth_cli.pipeline.context import BuilderContext
from thoth_cli.pipeline.units import Configuration, Sieve
from thoth_cli.resolver.candidate import Candidate

ISSUE = "https://github.com/tensorflow/tensorflow/issues/30990"

SYMBOLS = ("tensorflow.keras.callbacks.ModelCheckpoint", "tensorflow.keras.layers.LSTM")
"""Used together, these misbehave in TensorFlow 2.0.0."""


class TensorFlow30990Sieve(Sieve):
    """Removes the TensorFlow releases in which an LSTM layer does not work with the
    ModelCheckpoint callback (tensorflow#30990), for projects whose code uses both.

    The unit joins a pipeline only when the project's sources were scanned and use every
    symbol in `symbols`. It is advice, not a crash: when it would leave no TensorFlow release,
    the run keeps them and warns.

    Configuration:
      package_name (str, "tensorflow"): the package whose releases are removed.
      versions (str, "==2.0.0"): a version specifier; the releases it matches are removed
        (pre-releases included).
      symbols (list of str, the two above): the symbols whose joint use triggers the issue.
      when_empty (str, "warn"): "warn" keeps the releases when all would go, "fail" stops the run.
    """

    name = "tensorflow-30990"
    description = (
        "Removes TensorFlow 2.0.0 from projects whose code uses an LSTM layer with the "
        "ModelCheckpoint callback (tensorflow#30990)."
    )
    link = ISSUE
    CONFIGURATION_DEFAULT: ClassVar[Configuration] = {
        "package_name": "tensorflow",
        "versions": "==2.0.0",
        "symbols": SYMBOLS,
        "when_empty": "warn",
    }

    def __init__(self, configuration: Configuration | None = None) -> None:
        super().__init__(configuration)
        self._versions = checks.specifier(self, "versions")
        self._symbols = checks.strings(self, "symbols")

    @classmethod
    def should_include(cls, context: BuilderContext) -> Iterator[Configuration]:
        usage = context.library_usage() if context.requires(canonicalize_name("tensorflow")) else None
        if usage is not None and usage.uses_all(SYMBOLS):
            yield {}

    def run(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        return [candidate for candidate in candidates if not self._affected(candidate)]

    def reason(self, candidate: Candidate) -> str:
        return (
            f"{candidate.display_name} {candidate.version} breaks LSTM layers saved by the "
            f"ModelCheckpoint callback, and this project uses {' and '.join(self._symbols)} ({ISSUE})"
        )

    def _affected(self, candidate: Candidate) -> bool:
        # A removal rule covers the release candidates of the releases it names.
        return candidate.name == self.package_name and self._versions.contains(
            candidate.version, prereleases=True
        )
