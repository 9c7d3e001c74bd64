"""A pipeline file's configuration values are checked where the file is read, and errors point into it.

Fails today: `read_pipeline` checks only keys and types; the units' own value checks run
when the pipeline is instantiated, and their errors name `<pipeline>` instead of the file;
an int key's type error says "must be a number" of a number.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from thoth_cli.errors import ConfigError
from thoth_cli.pipeline.file import read_pipeline
from thoth_cli.pipeline.registry import available_units


def refused(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_pipeline(path, available_units())
    return str(caught.value).replace(str(path), "pipeline.yaml")


def test_a_configuration_value_a_unit_refuses_is_refused_in_the_file(tmp_path: Path) -> None:
    assert refused(tmp_path, "steps:\n  - {name: release-age, configuration: {mode: sideways}}\n") == (
        "pipeline.yaml [steps[0].configuration]: unit 'release-age': mode must be 'penalise' or 'welcome', "
        "not 'sideways'\n"
        "  fix: give mode a value like its default, 'penalise'"
    )


def test_a_whole_number_key_says_so(tmp_path: Path) -> None:
    assert refused(tmp_path, "steps:\n  - {name: release-age, configuration: {days: 2.5}}\n") == (
        "pipeline.yaml [steps[0].configuration]: unit 'release-age': days must be a whole number, not 2.5\n"
        "  fix: give days a value like its default, 7"
    )
