"""`--pipeline FILE`: an explicit pipeline in YAML, every unit known, under its type, configured validly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.sample_units import OldestFirstStep
from thoth_cli.errors import ConfigError, ExitCode
from thoth_cli.pipeline.builtin import ReleaseAgeStep, TensorFlow30990Sieve, VulnerableStackStride
from thoth_cli.pipeline.builtin.prerelease import PrereleaseStep
from thoth_cli.pipeline.file import read_pipeline
from thoth_cli.pipeline.model import Pipeline
from thoth_cli.pipeline.registry import available_units
from thoth_cli.pipeline.units import Unit

KINDS = "boots, pseudonyms, sieves, steps, strides, wraps"


def units() -> dict[str, type[Unit]]:
    return {**available_units(), OldestFirstStep.name: OldestFirstStep}


def read(tmp_path: Path, text: str) -> Pipeline:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    return read_pipeline(path, units())


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        read(tmp_path, text)
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    return str(caught.value).replace(str(tmp_path / "pipeline.yaml"), "pipeline.yaml")


def test_a_pipeline_file_names_units_by_type_with_their_configuration(tmp_path: Path) -> None:
    pipeline = read(
        tmp_path,
        "version: 1\n"
        "sieves:\n"
        "  - tensorflow-30990\n"
        "steps:\n"
        "  - prerelease\n"
        "  - name: release-age\n"
        "    configuration: {days: 14, mode: welcome}\n"
        "  - oldest-first\n"
        "strides:\n"
        "  - name: vulnerable-stack\n"
        "wraps: []\n",
    )
    assert pipeline == Pipeline(
        sieves=[(TensorFlow30990Sieve, {})],
        steps=[
            (PrereleaseStep, {}),
            (ReleaseAgeStep, {"days": 14, "mode": "welcome"}),
            (OldestFirstStep, {}),
        ],
        strides=[(VulnerableStackStride, {})],
    )
    (_, age, _) = pipeline.instantiate().steps
    assert age.configuration == {"days": 14, "mode": "welcome", "penalty": -1.0, "bonus": 0.3}


def test_the_same_unit_may_be_listed_twice(tmp_path: Path) -> None:
    pipeline = read(
        tmp_path, "steps:\n  - oldest-first\n  - {name: oldest-first, configuration: {weight: 1}}\n"
    )
    assert pipeline.steps == ((OldestFirstStep, {}), (OldestFirstStep, {"weight": 1.0}))


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "version: 1\n", "steps: []\nsieves:\n"])
def test_an_empty_file_is_an_empty_pipeline(tmp_path: Path, text: str) -> None:
    assert read(tmp_path, text) == Pipeline()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "step:\n  - prerelease\n",
            "pipeline.yaml [step]: unknown key 'step'\n  fix: unit types are " + KINDS,
        ),
        (
            "steps:\n  - relase-age\n",
            "pipeline.yaml [steps[0]]: no unit is named 'relase-age'\n"
            "  fix: did you mean 'release-age'? `thoth units` lists the units",
        ),
        (
            "steps:\n  - prerelease\n  - {name: oldest-frist}\n",
            "pipeline.yaml [steps[1].name]: no unit is named 'oldest-frist'\n"
            "  fix: did you mean 'oldest-first'? `thoth units` lists the units",
        ),
        (
            "wraps:\n  - zzz\n",
            "pipeline.yaml [wraps[0]]: no unit is named 'zzz'\n  fix: `thoth units` lists the units",
        ),
        (
            "sieves:\n  - prerelease\n",
            "pipeline.yaml [sieves[0]]: unit 'prerelease' is a step, listed under sieves\n"
            "  fix: move it under steps",
        ),
        (
            "strides:\n  - vulnerability-report\n",
            "pipeline.yaml [strides[0]]: unit 'vulnerability-report' is a wrap, listed under strides\n"
            "  fix: move it under wraps",
        ),
        (
            "steps:\n  - {name: release-age, configuration: {dayz: 3}}\n",
            "pipeline.yaml [steps[0].configuration]: unit 'release-age' has no configuration key 'dayz' "
            "(it has: bonus, days, mode, penalty)\n"
            "  fix: remove the key, or spell it as the unit documents it (`thoth units`)",
        ),
        (
            "steps:\n  - {name: prerelease, configuration: {mode: allow}}\n",
            "pipeline.yaml [steps[0].configuration]: unit 'prerelease' has no configuration key 'mode' "
            "(it has: none)\n"
            "  fix: remove the key, or spell it as the unit documents it (`thoth units`)",
        ),
        (
            "steps:\n  - {name: release-age, configuration: {days: two}}\n",
            "pipeline.yaml [steps[0].configuration]: unit 'release-age': "
            "days must be a whole number, not 'two'\n"
            "  fix: give days a value like its default, 7",
        ),
        (
            "steps:\n  - {name: release-age, configuration: {mode: true}}\n",
            "pipeline.yaml [steps[0].configuration]: unit 'release-age': mode must be a string, not True\n"
            "  fix: give mode a value like its default, 'penalise'",
        ),
        (
            "sieves:\n  - {name: tensorflow-30990, configuration: {symbols: LSTM}}\n",
            "pipeline.yaml [sieves[0].configuration]: unit 'tensorflow-30990': symbols must be a list, "
            "not 'LSTM'\n"
            "  fix: give symbols a value like its default, "
            "('tensorflow.keras.callbacks.ModelCheckpoint', 'tensorflow.keras.layers.LSTM')",
        ),
        (
            "sieves:\n  - {name: tensorflow-30990, configuration: {when_empty: ignore}}\n",
            "pipeline.yaml [sieves[0].configuration]: unit 'tensorflow-30990': when_empty must be 'fail' or "
            "'warn', not 'ignore'\n"
            "  fix: say 'fail' to stop the run, 'warn' to keep the versions and warn",
        ),
        (
            "version: 2\n",
            "pipeline.yaml [version]: version 2 is not one thoth reads\n  fix: write version: 1",
        ),
        (
            "- prerelease\n",
            "pipeline.yaml: must be a mapping of unit types to lists of units\n"
            f"  fix: write keys among {KINDS}",
        ),
        (
            "steps: prerelease\n",
            "pipeline.yaml [steps]: must be a list of units, not 'prerelease'\n"
            "  fix: write one unit name (or {name: ..., configuration: {...}}) per item",
        ),
        (
            "steps:\n  - {name: prerelease, config: {}}\n",
            "pipeline.yaml [steps[0].config]: unknown key 'config'\n"
            "  fix: a unit entry has `name` and, optionally, `configuration`",
        ),
        (
            "steps:\n  - configuration: {days: 3}\n",
            "pipeline.yaml [steps[0].name]: has no unit name\n  fix: add name: UNIT",
        ),
        (
            "steps:\n  - {name: release-age, configuration: 3}\n",
            "pipeline.yaml [steps[0].configuration]: configuration must be a mapping, not 3\n"
            "  fix: write configuration: {KEY: VALUE}",
        ),
        (
            "steps:\n  - 3\n",
            "pipeline.yaml [steps[0]]: must be a unit name or a mapping, not 3\n"
            "  fix: write the unit's name, or {name: UNIT, configuration: {...}}",
        ),
        (
            "steps:\n  - prerelease\n  - [oops\n",
            "pipeline.yaml:4: is not valid YAML (expected ',' or ']', but got '<stream end>')\n"
            "  fix: fix the YAML syntax",
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-unit",
        "unknown-unit-by-name",
        "unknown-unit-no-suggestion",
        "step-under-sieves",
        "wrap-under-strides",
        "unknown-configuration-key",
        "unit-without-configuration",
        "wrong-type-number",
        "wrong-type-string",
        "wrong-type-list",
        "when-empty",
        "version",
        "not-a-mapping",
        "not-a-list",
        "unknown-entry-key",
        "no-name",
        "configuration-not-a-mapping",
        "entry-not-a-name",
        "invalid-yaml",
    ],
)
def test_a_bad_pipeline_file_is_refused_naming_the_file_the_key_and_the_fix(
    tmp_path: Path, text: str, message: str
) -> None:
    assert refused(tmp_path, text) == message


def test_an_unreadable_pipeline_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").mkdir()
    with pytest.raises(ConfigError) as caught:
        read_pipeline(tmp_path / "pipeline.yaml", units())
    assert (
        str(caught.value)
        == f"{tmp_path / 'pipeline.yaml'}: cannot be read (Is a directory)\n  fix: check the path"
    )


def test_a_pipeline_file_that_is_not_utf8_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_bytes(b"\xff\xfe steps: []\n")
    with pytest.raises(ConfigError) as caught:
        read_pipeline(path, available_units())
    assert str(caught.value) == f"{path}: is not UTF-8 text (byte 0)\n  fix: save the file as UTF-8"
