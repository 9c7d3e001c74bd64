"""Prescriptions in a real run: `advise()` against the test index, on machines that trigger them and not."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.knowledge.prescriptions.conftest import LINK, machine, write_units
from tests.pipeline.conftest import NOW, AdviseIn, pins, stacks_of
from thoth_cli.adviser import Advice, Recommendation
from thoth_cli.discovery.model import RuntimeEnvironment
from thoth_cli.errors import ExitCode
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.runner import PipelineStopped
from thoth_cli.pipeline.units import CannotRemovePackage, ManifestChange
from thoth_cli.stack import JustificationType, Stack

pytestmark = pytest.mark.usefixtures("no_bundled")

AVX = f"""\
- name: tensorflow-needs-avx
  type: sieve
  description: TensorFlow 1.6 and later crash on CPUs without AVX.
  should_include:
    runtime_environment: {{cpu_flags: {{absent: [avx]}}}}
  match: {{package: {{name: tensorflow, version: ">=1.6"}}}}
  run:
    remove: true
    justification:
      type: ERROR
      message: "TensorFlow {{version}} uses AVX instructions; this CPU has none"
      link: {LINK}
"""

NO_AVX = machine(flags=("sse", "sse2", "sse4_1", "sse4_2"))
WITH_AVX = machine(flags=("sse4_2", "avx", "avx2"))


def advise_with(
    advise_in: AdviseIn,
    folder: Path,
    universe: str,
    lines: list[str],
    *,
    facts: RuntimeEnvironment | None = None,
    kind: RecommendationType = RecommendationType.LATEST,
    count: int = 1,
) -> Advice:
    recommendation = Recommendation(type=kind, count=count, machine=facts, prescriptions=(folder,), now=NOW)
    return advise_in(universe, lines, recommendation=recommendation)


def best(advice: Advice) -> Stack:
    assert advice.search is not None
    return advice.search.stacks[0].stack


@pytest.mark.parametrize(
    ("facts", "chosen"),
    [(NO_AVX, "1.5.1"), (WITH_AVX, "2.16.1"), (None, "2.16.1")],
    ids=["no-avx", "avx", "unknown"],
)
def test_a_sieve_removes_releases_only_on_the_machines_it_names(
    advise_in: AdviseIn, tmp_path: Path, facts: RuntimeEnvironment | None, chosen: str
) -> None:
    write_units(tmp_path / "rules", "tensorflow.yaml", AVX)
    advice = advise_with(
        advise_in, tmp_path / "rules", "tensorflow 1.5.1 1.6.0 2.16.1", ["tensorflow"], facts=facts
    )
    assert pins(best(advice)) == {"tensorflow": chosen}
    assert advice.units is not None
    assert [unit.label for unit in advice.units.sieves] == (
        ["tensorflow-needs-avx[tensorflow]"] if facts is NO_AVX else []
    )


def test_a_crash_rule_leaving_no_release_fails_the_run_with_its_reason(
    advise_in: AdviseIn, tmp_path: Path
) -> None:
    write_units(tmp_path / "rules", "tensorflow.yaml", AVX)
    with pytest.raises(CannotRemovePackage) as caught:
        advise_with(advise_in, tmp_path / "rules", "tensorflow 1.6.0 2.16.1", ["tensorflow"], facts=NO_AVX)
    assert caught.value.exit_code is ExitCode.NO
    assert str(caught.value) == (
        "unit 'tensorflow-needs-avx[tensorflow]' removes every release of tensorflow that the project "
        "allows: "
        "TensorFlow 2.16.1 uses AVX instructions; this CPU has none\n"
        "  fix: change the requirement on tensorflow, choose another recommendation type, or pass "
        "--block-unit tensorflow-needs-avx to accept the risk"
    )


def test_an_advisory_rule_leaving_no_release_keeps_them_and_warns(
    advise_in: AdviseIn, tmp_path: Path
) -> None:
    write_units(
        tmp_path / "rules",
        "tensorflow.yaml",
        AVX.replace("remove: true", "remove: true\n    when_empty: warn"),
    )
    advice = advise_with(
        advise_in, tmp_path / "rules", "tensorflow 1.6.0 2.16.1", ["tensorflow"], facts=NO_AVX
    )
    package = best(advice).get(canonicalize_name("tensorflow"))
    assert package is not None and str(package.version) == "2.16.1"
    assert {(j.type, j.unit) for j in package.justifications} == {
        (JustificationType.WARNING, "tensorflow-needs-avx")
    }


def test_a_step_rejects_releases_for_the_recommendation_types_it_names(
    advise_in: AdviseIn, tmp_path: Path
) -> None:
    write_units(
        tmp_path / "rules",
        "werkzeug.yaml",
        f"""\
        - name: werkzeug-3-stable-later
          type: step
          description: d
          should_include: {{recommendation_types: [stable]}}
          match: {{package: {{name: werkzeug, version: ">=3"}}}}
          run:
            not_acceptable: true
            justification: {{message: "{{package}} {{version}} is too new", link: "{LINK}"}}
        """,
    )
    universe = "werkzeug 2.3.8 3.0.3"
    latest = advise_with(advise_in, tmp_path / "rules", universe, ["werkzeug"])
    stable = advise_with(
        advise_in, tmp_path / "rules", universe, ["werkzeug"], kind=RecommendationType.STABLE
    )
    assert pins(best(latest)) == {"werkzeug": "3.0.3"}
    assert pins(best(stable)) == {"werkzeug": "2.3.8"}


def test_a_step_scores_and_the_better_release_wins(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(
        tmp_path / "rules",
        "numpy.yaml",
        f"""\
        - name: numpy-2-0-0-regression
          type: step
          description: d
          match: {{package: {{name: numpy, version: "==2.0.0"}}}}
          run: {{score: -1, justification: {{message: "{{package}} {{version}} regressed", link: "{LINK}"}}}}
        """,
    )
    advice = advise_with(advise_in, tmp_path / "rules", "numpy 1.26.4 2.0.0", ["numpy"])
    assert pins(best(advice)) == {"numpy": "1.26.4"}


JINJA2 = f"""\
- name: jinja2-2-with-markupsafe-2-1
  type: step
  description: d
  match: {{together: [{{name: jinja2, version: "<3"}}, {{name: markupsafe, version: ">=2.1"}}]}}
  run:
    justification:
      message: "{{package}} {{version}} imports soft_unicode, which MarkupSafe 2.1 removed"
      link: {LINK}
"""


def test_a_stack_rule_keeps_pins_out_of_one_stack(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(tmp_path / "rules", "webstack.yaml", JINJA2)
    universe = "jinja2 2.11.3: markupsafe>=0.23\nmarkupsafe 2.0.1 2.1.5"
    advice = advise_with(advise_in, tmp_path / "rules", universe, ["jinja2<3"])
    assert pins(best(advice)) == {"jinja2": "2.11.3", "markupsafe": "2.0.1"}
    assert advice.search is not None
    assert [j.message for j in advice.search.discarded] == [
        "jinja2 2.11.3 imports soft_unicode, which MarkupSafe 2.1 removed"
    ]


def test_a_stack_rule_on_a_package_introduced_by_another(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(
        tmp_path / "rules",
        "tensorflow.yaml",
        f"""\
        - name: keras-from-tensorflow-2-6
          type: step
          description: d
          match:
            package: {{name: keras, version: ">=2.7"}}
            introduced_by: {{name: tensorflow, version: ">=2.6,<2.7"}}
          run:
            justification: {{message: "{{package}} {{version}} does not fit TensorFlow 2.6", link: "{LINK}"}}
        """,
    )
    universe = "tensorflow 2.6.5: keras>=2.6\nkeras 2.6.0 2.8.0"
    assert pins(best(advise_with(advise_in, tmp_path / "rules", universe, ["tensorflow"]))) == {
        "tensorflow": "2.6.5",
        "keras": "2.6.0",
    }
    # Required by the project itself, keras is not only tensorflow's: the rule still holds.
    assert pins(best(advise_with(advise_in, tmp_path / "rules", universe, ["tensorflow", "keras"]))) == {
        "tensorflow": "2.6.5",
        "keras": "2.6.0",
    }
    assert pins(best(advise_with(advise_in, tmp_path / "rules", universe, ["keras"]))) == {"keras": "2.8.0"}


def test_a_pseudonym_puts_another_package_in_the_slot(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(
        tmp_path / "rules",
        "tensorflow.yaml",
        f"""\
        - name: tensorflow-cpu-without-gpu
          type: pseudonym
          description: d
          should_include: {{runtime_environment: {{gpu: {{compute_capability: ">=3.5"}}}}}}
          match: {{package: {{name: tensorflow}}}}
          run:
            alternative: {{name: tensorflow-cpu}}
            justification: {{message: m, link: "{LINK}"}}
        """,
    )
    universe = "tensorflow 2.16.1\ntensorflow-cpu 2.16.1"
    gpu = machine(gpus=(("Tesla T4", "7.5"),))
    on_gpu = advise_with(advise_in, tmp_path / "rules", universe, ["tensorflow"], facts=gpu)
    without = advise_with(advise_in, tmp_path / "rules", universe, ["tensorflow"], facts=machine(gpus=()))
    assert pins(best(on_gpu)) == {"tensorflow-cpu": "2.16.1"}
    assert pins(best(without)) == {"tensorflow": "2.16.1"}


NUMPY2 = f"""\
- name: pandas-before-2-2-2-with-numpy-2
  type: stride
  description: d
  match: {{stack: {{contains: [{{name: pandas, version: "<2.2.2"}}, {{name: numpy, version: ">=2"}}]}}}}
  run:
    not_acceptable: true
    justification: {{message: "{{package}} {{version}} was built for NumPy 1", link: "{LINK}"}}
"""


def test_a_stride_discards_the_stacks_it_names(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(tmp_path / "rules", "numpy2.yaml", NUMPY2)
    advice = advise_with(advise_in, tmp_path / "rules", "pandas 2.1.4: numpy\nnumpy 1.26.4 2.0.1", ["pandas"])
    assert pins(best(advice)) == {"pandas": "2.1.4", "numpy": "1.26.4"}
    assert advice.search is not None
    assert [j.message for j in advice.search.discarded] == [
        "a stack was discarded: pandas 2.1.4 was built for NumPy 1"
    ]


def test_a_stride_scores_stacks_and_the_best_comes_first(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(tmp_path / "rules", "numpy2.yaml", NUMPY2.replace("not_acceptable: true", "score: -0.9"))
    advice = advise_with(
        advise_in, tmp_path / "rules", "pandas 2.1.4: numpy\nnumpy 1.26.4 2.0.1", ["pandas"], count=2
    )
    assert stacks_of(advice) == [
        {"pandas": "2.1.4", "numpy": "1.26.4"},
        {"pandas": "2.1.4", "numpy": "2.0.1"},
    ]


def test_a_wrap_advises_the_stacks_it_matches(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(
        tmp_path / "rules",
        "performance.yaml",
        f"""\
        - name: onednn
          type: wrap
          description: d
          should_include:
            recommendation_types: [performance]
            runtime_environment: {{cpu: {{vendors: [GenuineIntel]}}}}
          match: {{stack: {{contains: [{{name: tensorflow, version: ">=2.5"}}]}}}}
          run:
            justification: {{message: "oneDNN speeds up {{package}} {{version}} here", link: "{LINK}"}}
            advised_environment: {{TF_ENABLE_ONEDNN_OPTS: "1"}}
            add_package: "intel-extension-for-tensorflow>=2.13"
        """,
    )
    universe = "tensorflow 2.16.1"
    intel = advise_with(
        advise_in,
        tmp_path / "rules",
        universe,
        ["tensorflow"],
        facts=WITH_AVX,
        kind=RecommendationType.PERFORMANCE,
    )
    assert intel.search is not None
    (advice,) = intel.search.stacks[0].advice
    assert dict(advice.environment) == {"TF_ENABLE_ONEDNN_OPTS": "1"}
    assert advice.manifest_changes == (
        ManifestChange(
            "add",
            "intel-extension-for-tensorflow",
            "intel-extension-for-tensorflow>=2.13",
            "oneDNN speeds up tensorflow 2.16.1 here",
        ),
    )
    assert [(j.type, j.message) for j in advice.justifications] == [
        (JustificationType.INFO, "oneDNN speeds up tensorflow 2.16.1 here")
    ]
    amd = machine(cpu=("AuthenticAMD", 25, 33))
    other = advise_with(
        advise_in,
        tmp_path / "rules",
        universe,
        ["tensorflow"],
        facts=amd,
        kind=RecommendationType.PERFORMANCE,
    )
    assert other.search is not None
    assert other.search.stacks[0].advice == ()


def test_a_boot_stops_the_run_for_the_targets_it_names(advise_in: AdviseIn, tmp_path: Path) -> None:
    write_units(
        tmp_path / "rules",
        "python.yaml",
        f"""\
        - name: tensorflow-on-python-3-13
          type: boot
          description: d
          should_include: {{runtime_environment: {{python_version: ">=3.13"}}}}
          match: {{package: {{name: tensorflow}}}}
          run:
            not_acceptable: true
            justification: {{type: ERROR, message: "no {{package}} runs on Python 3.13 yet", link: "{LINK}"}}
        """,
    )
    recommendation = Recommendation(prescriptions=(tmp_path / "rules",), now=NOW)
    with pytest.raises(PipelineStopped) as caught:
        advise_in("tensorflow 2.16.1", ["tensorflow"], recommendation=recommendation, python="3.13")
    assert caught.value.exit_code is ExitCode.NO
    assert (
        str(caught.value)
        == "unit 'tensorflow-on-python-3-13' stopped the run: no tensorflow runs on Python 3.13 yet"
    )
    advice = advise_in("tensorflow 2.16.1", ["tensorflow"], recommendation=recommendation, python="3.12")
    assert pins(best(advice)) == {"tensorflow": "2.16.1"}
