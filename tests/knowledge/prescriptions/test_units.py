"""Prescriptions compiled into units: each type's should_include and actions, on real candidates, stacks."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.knowledge.prescriptions.conftest import (
    LINK,
    candidate,
    compiled,
    context,
    machine,
    one,
    stack,
    started,
)
from thoth_cli.knowledge.prescriptions.units import Prescribed, compile_prescription
from thoth_cli.pipeline.context import RecommendationType
from thoth_cli.pipeline.registry import kind_of
from thoth_cli.pipeline.units import (
    Alternative,
    Boot,
    ManifestChange,
    NotAcceptable,
    Pseudonym,
    Scored,
    Sieve,
    SkipPackage,
    StackConflict,
    Step,
    Stride,
    Wrap,
    WrapAdvice,
)
from thoth_cli.stack import Justification, JustificationType

AVX = f"""\
- name: tensorflow-needs-avx
  type: sieve
  description: TensorFlow 1.6 and later crash on CPUs without AVX.
  should_include:
    runtime_environment: {{cpu_flags: {{absent: [avx]}}}}
  match: [{{package: {{name: tensorflow, version: ">=1.6"}}}}, {{package: {{name: tensorflow-cpu}}}}]
  run:
    remove: true
    justification:
      type: ERROR
      message: "{{package}} {{version}} uses AVX instructions; this CPU has none"
      link: {LINK}
"""


def test_a_prescription_becomes_a_unit_class_of_its_type_named_described_and_linked() -> None:
    prescription = one(AVX)
    cls = compile_prescription(prescription)
    assert issubclass(cls, Sieve) and issubclass(cls, Prescribed)
    assert kind_of(cls) == "sieve"
    assert (cls.name, cls.description, cls.link) == (
        "tensorflow-needs-avx",
        "TensorFlow 1.6 and later crash on CPUs without AVX.",
        LINK,
    )
    assert cls.__name__ == "TensorflowNeedsAvxSieve"
    assert cls.prescription is prescription
    assert cls.CONFIGURATION_DEFAULT == {"package_name": "", "when_empty": "fail"}
    assert compile_prescription(prescription) is cls


def test_a_unit_matching_packages_joins_once_per_package_when_its_conditions_hold() -> None:
    cls = compiled(AVX)
    without_avx = context(environment=machine(flags=("sse4_2",)))
    assert list(cls.should_include(without_avx)) == [
        {"package_name": "tensorflow"},
        {"package_name": "tensorflow-cpu"},
    ]
    assert list(cls.should_include(context(environment=machine(flags=("avx", "avx2"))))) == []
    assert list(cls.should_include(context(environment=None))) == []


def test_a_sieve_removes_the_matching_releases_and_says_why() -> None:
    sieve = started(compiled(AVX), {"package_name": "tensorflow"})
    assert isinstance(sieve, Sieve)
    releases = [candidate("tensorflow", v) for v in ("2.16.1", "2.17.0rc1", "1.6.0", "1.6.0rc0", "1.5.1")]
    # Pre-releases count: 2.17.0rc1 is >=1.6, while 1.6.0rc0 comes before 1.6.
    assert [str(c.version) for c in sieve.run(releases)] == ["1.6.0rc0", "1.5.1"]
    assert sieve.reason(releases[0]) == "tensorflow 2.16.1 uses AVX instructions; this CPU has none"
    assert sieve.when_empty == "fail"
    assert sieve.label == "tensorflow-needs-avx[tensorflow]"


def test_a_sieve_may_only_warn_when_it_would_empty_a_package() -> None:
    cls = compiled(AVX.replace("remove: true", "remove: true\n    when_empty: warn"))
    assert cls.CONFIGURATION_DEFAULT["when_empty"] == "warn"
    assert cls({"package_name": "tensorflow", "when_empty": "fail"}).when_empty == "fail"


def test_a_sieve_matches_an_index_by_name_or_by_url() -> None:
    cls = compiled(
        f"""\
        - name: from-pypi
          type: sieve
          description: d
          match:
            - {{package: {{name: a, index: "https://pypi.org/simple/"}}}}
            - {{package: {{name: b, index: mirror}}}}
          run: {{remove: true, justification: {{message: m, link: "{LINK}"}}}}
        """
    )
    sieve = started(cls)
    assert isinstance(sieve, Sieve)
    kept = sieve.run(
        [
            candidate("a", "1.0"),
            candidate("a", "1.1", index="mirror"),
            candidate("b", "1.0"),
            candidate("b", "2.0", "mirror"),
        ]
    )
    assert [(c.name, str(c.version)) for c in kept] == [("a", "1.1"), ("b", "1.0")]


def test_a_sieve_may_leave_the_package_out_of_the_stack() -> None:
    cls = compiled(
        f"""\
        - name: system-tensorflow
          type: sieve
          description: d
          match: {{package: {{name: tensorflow, version: ">=2"}}}}
          run:
            skip_package: true
            justification: {{message: "{{package}} comes with the image", link: "{LINK}"}}
        """
    )
    assert "when_empty" not in cls.CONFIGURATION_DEFAULT
    sieve = started(cls, {"package_name": "tensorflow"})
    assert isinstance(sieve, Sieve)
    with pytest.raises(SkipPackage) as caught:
        sieve.run([candidate("tensorflow", "2.16.1"), candidate("tensorflow", "1.15.0")])
    assert caught.value.reason == "tensorflow comes with the image"
    older = [candidate("tensorflow", "1.15.0")]
    assert sieve.run(older) == older


STEP = f"""\
- name: old-werkzeug
  type: step
  description: d
  match: {{package: {{name: werkzeug, version: "<2"}}}}
  run: {{score: -0.5, justification: {{message: "{{package}} {{version}} is old", link: "{LINK}"}}}}
"""


def test_a_step_scores_the_matching_releases_with_its_justification() -> None:
    step = started(compiled(STEP), {"package_name": "werkzeug"})
    assert isinstance(step, Step)
    assert step.run(candidate("werkzeug", "3.0.3")) is None
    assert step.run(candidate("Werkzeug", "1.0.1")) == Scored(
        -0.5,
        (
            Justification(
                JustificationType.WARNING,
                "Werkzeug 1.0.1 is old",
                link=LINK,
                package="Werkzeug",
                version="1.0.1",
                unit="old-werkzeug",
            ),
        ),
    )
    assert (step.highest_score(), step.reorders) == (0.0, True)


def test_a_step_may_reject_the_matching_releases() -> None:
    cls = compiled(STEP.replace("score: -0.5", "not_acceptable: true, when_empty: warn"))
    assert cls.CONFIGURATION_DEFAULT == {"package_name": "", "when_empty": "warn"}
    step = started(cls, {"package_name": "werkzeug"})
    assert isinstance(step, Step)
    with pytest.raises(NotAcceptable) as caught:
        step.run(candidate("werkzeug", "1.0.1"))
    assert (caught.value.reason, caught.value.link) == ("werkzeug 1.0.1 is old", LINK)
    assert step.run(candidate("werkzeug", "2.0.0")) is None
    assert (step.reorders, step.highest_score()) == (False, 0.0)


def test_a_good_score_is_a_steps_highest() -> None:
    step = started(compiled(STEP.replace("score: -0.5", "score: 0.25")), {"package_name": "werkzeug"})
    assert isinstance(step, Step)
    assert step.highest_score() == 0.25


TOGETHER = f"""\
- name: jinja2-markupsafe
  type: step
  description: d
  match: {{together: [{{name: jinja2, version: "<3"}}, {{name: markupsafe, version: ">=2.1"}}]}}
  run:
    justification:
      message: "{{package}} {{version}} needs soft_unicode from MarkupSafe <2.1"
      link: "{LINK}"
"""


def test_a_stack_rule_names_the_pins_that_must_not_be_together() -> None:
    cls = compiled(TOGETHER)
    assert cls.CONFIGURATION_DEFAULT == {}
    assert list(cls.should_include(context())) == [{}]
    step = started(cls)
    assert isinstance(step, Step)
    assert (step.reorders, step.highest_score(), step.run(candidate("jinja2", "2.11.3"))) == (
        False,
        0.0,
        None,
    )
    assert list(step.conflicts(stack(("jinja2", "2.11.3"), ("markupsafe", "2.1.5"), ("flask", "1.1.4")))) == [
        StackConflict(
            (
                (canonicalize_name("jinja2"), Version("2.11.3")),
                (canonicalize_name("markupsafe"), Version("2.1.5")),
            ),
            Justification(
                JustificationType.WARNING,
                "jinja2 2.11.3 needs soft_unicode from MarkupSafe <2.1",
                link=LINK,
                unit="jinja2-markupsafe",
            ),
        )
    ]
    assert list(step.conflicts(stack(("jinja2", "2.11.3"), ("markupsafe", "2.0.1")))) == []
    assert list(step.conflicts(stack(("jinja2", "3.1.4"), ("markupsafe", "2.1.5")))) == []
    assert list(step.conflicts(stack(("jinja2", "2.11.3")))) == []


INTRODUCED = f"""\
- name: keras-from-tensorflow-2-6
  type: step
  description: d
  match:
    package: {{name: keras, version: ">=2.7"}}
    introduced_by: {{name: tensorflow, version: ">=2.6,<2.7"}}
  run:
    not_acceptable: true
    justification: {{message: "{{package}} {{version}} breaks TensorFlow 2.6", link: "{LINK}"}}
"""


def test_a_stack_rule_on_a_package_introduced_by_another_looks_at_who_requires_it() -> None:
    step = started(compiled(INTRODUCED))
    assert isinstance(step, Step)
    pins = (("tensorflow", "2.6.5"), ("keras", "2.8.0"))
    (conflict,) = step.conflicts(stack(*pins, edges=[(None, "tensorflow"), ("tensorflow", "keras")]))
    assert conflict.pins == (
        (canonicalize_name("keras"), Version("2.8.0")),
        (canonicalize_name("tensorflow"), Version("2.6.5")),
    )
    assert conflict.justification.message == "keras 2.8.0 breaks TensorFlow 2.6"
    assert list(step.conflicts(stack(*pins, edges=[(None, "tensorflow"), (None, "keras")]))) == []
    older = (("tensorflow", "2.6.5"), ("keras", "2.6.0"))
    assert list(step.conflicts(stack(*older, edges=[(None, "tensorflow"), ("tensorflow", "keras")]))) == []


def test_a_pseudonym_offers_its_alternative_for_the_matching_releases() -> None:
    cls = compiled(
        f"""\
        - name: tensorflow-cpu-instead
          type: pseudonym
          description: d
          match: {{package: {{name: tensorflow, version: ">=2.1"}}}}
          run:
            alternative: {{name: tensorflow-cpu, index: "https://pypi.org/simple"}}
            justification: {{message: m, link: "{LINK}"}}
        """
    )
    assert cls.CONFIGURATION_DEFAULT == {"package_name": ""}
    assert list(cls.should_include(context())) == [{"package_name": "tensorflow"}]
    pseudonym = started(cls, {"package_name": "tensorflow"})
    assert isinstance(pseudonym, Pseudonym)
    assert list(pseudonym.run(candidate("tensorflow", "2.16.1"))) == [
        Alternative("tensorflow-cpu", None, "https://pypi.org/simple")
    ]
    assert list(pseudonym.run(candidate("tensorflow", "2.0.0"))) == []


def test_a_pseudonym_may_offer_one_version_of_another_package() -> None:
    cls = compiled(
        f"""\
        - name: keras-for-tensorflow-2-15
          type: pseudonym
          description: d
          match: {{package: {{name: tf-keras, version: "==2.15.*"}}}}
          run:
            alternative: {{name: keras, version: "2.15.0"}}
            justification: {{message: m, link: "{LINK}"}}
        """
    )
    pseudonym = started(cls, {"package_name": "tf-keras"})
    assert isinstance(pseudonym, Pseudonym)
    assert list(pseudonym.run(candidate("tf-keras", "2.15.1"))) == [Alternative("keras", "2.15.0")]


STRIDE = f"""\
- name: numpy2-pandas
  type: stride
  description: d
  match: {{stack: {{contains: [{{name: pandas, version: "<2.2.2"}}, {{name: numpy, version: ">=2"}}]}}}}
  run:
    score: -0.8
    justification: {{message: "{{package}} {{version}} was built against NumPy 1", link: "{LINK}"}}
"""


def test_a_stride_scores_the_stacks_holding_every_listed_pin() -> None:
    stride = started(compiled(STRIDE))
    assert isinstance(stride, Stride)
    assert stride.highest_score() == 0.0
    assert stride.run(stack(("pandas", "2.1.4"), ("numpy", "2.0.1"))) == Scored(
        -0.8,
        (
            Justification(
                JustificationType.WARNING,
                "pandas 2.1.4 was built against NumPy 1",
                link=LINK,
                unit="numpy2-pandas",
            ),
        ),
    )
    assert stride.run(stack(("pandas", "2.2.2"), ("numpy", "2.0.1"))) is None
    assert stride.run(stack(("pandas", "2.1.4"), ("numpy", "1.26.4"))) is None
    assert stride.run(stack(("pandas", "2.1.4"))) is None


def test_a_stride_may_discard_the_stack() -> None:
    stride = started(compiled(STRIDE.replace("score: -0.8", "not_acceptable: true")))
    assert isinstance(stride, Stride)
    with pytest.raises(NotAcceptable) as caught:
        stride.run(stack(("pandas", "2.1.4"), ("numpy", "2.0.1")))
    assert (caught.value.reason, caught.value.link) == ("pandas 2.1.4 was built against NumPy 1", LINK)


WRAP = f"""\
- name: onednn
  type: wrap
  description: d
  should_include: {{recommendation_types: [performance]}}
  match: {{stack: {{contains: [{{name: tensorflow, version: ">=2.5"}}]}}}}
  run:
    justification: {{message: "{{package}} {{version}} runs faster with oneDNN", link: "{LINK}"}}
    advised_environment: {{TF_ENABLE_ONEDNN_OPTS: "1"}}
    advised_manifest_changes: [{{action: remove, package: enum34, reason: in the standard library}}]
    add_package: "intel-extension-for-tensorflow>=2.13"
"""


def test_a_wrap_advises_environment_variables_and_manifest_changes() -> None:
    cls = compiled(WRAP)
    assert list(cls.should_include(context(recommendation_type=RecommendationType.PERFORMANCE))) == [{}]
    assert list(cls.should_include(context())) == []
    wrap = started(cls)
    assert isinstance(wrap, Wrap)
    assert wrap.run(stack(("tensorflow", "2.16.1"))) == WrapAdvice(
        justifications=(
            Justification(
                JustificationType.INFO, "tensorflow 2.16.1 runs faster with oneDNN", link=LINK, unit="onednn"
            ),
        ),
        environment={"TF_ENABLE_ONEDNN_OPTS": "1"},
        manifest_changes=(
            ManifestChange("remove", "enum34", None, "in the standard library"),
            ManifestChange(
                "add",
                "intel-extension-for-tensorflow",
                "intel-extension-for-tensorflow>=2.13",
                "tensorflow 2.16.1 runs faster with oneDNN",
            ),
        ),
    )
    assert wrap.run(stack(("tensorflow", "2.4.4"))) is None


def test_a_wrap_without_a_match_advises_every_stack() -> None:
    wrap = started(
        compiled(
            f"""\
            - name: pin-hashes
              type: wrap
              description: d
              run: {{justification: {{message: install with --require-hashes, link: "{LINK}"}}}}
            """
        )
    )
    assert isinstance(wrap, Wrap)
    advice = wrap.run(stack())
    assert advice is not None
    assert [j.message for j in advice.justifications] == ["install with --require-hashes"]


BOOT = f"""\
- name: torch-cuda-note
  type: boot
  description: d
  match: {{package: {{name: torch}}}}
  run:
    stack_info:
      - {{message: "{{package}} wheels on PyPI bundle CUDA", link: "{LINK}"}}
      - {{type: WARNING, message: the driver decides which CUDA runs, link: "{LINK}"}}
"""


def test_a_boot_joins_only_projects_requiring_its_package_and_adds_stack_information() -> None:
    cls = compiled(BOOT)
    assert list(cls.should_include(context(requirements=["Torch>=2"]))) == [{}]
    assert list(cls.should_include(context(requirements=["numpy"]))) == []
    boot = started(cls, requirements=["Torch>=2"])
    assert isinstance(boot, Boot)
    assert list(boot.run()) == [
        Justification(
            JustificationType.INFO, "Torch wheels on PyPI bundle CUDA", link=LINK, unit="torch-cuda-note"
        ),
        Justification(
            JustificationType.WARNING, "the driver decides which CUDA runs", link=LINK, unit="torch-cuda-note"
        ),
    ]


def test_a_boot_may_stop_the_run_with_its_reason() -> None:
    cls = compiled(
        f"""\
        - name: no-python-3-7
          type: boot
          description: d
          should_include: {{runtime_environment: {{python_version: "<3.8"}}}}
          run:
            not_acceptable: true
            justification: {{type: ERROR, message: Python 3.7 is past its end of life, link: "{LINK}"}}
        """
    )
    assert list(cls.should_include(context(python="3.12"))) == []
    assert list(cls.should_include(context(python="3.7"))) == [{}]
    boot = started(cls, python="3.7")
    assert isinstance(boot, Boot)
    with pytest.raises(NotAcceptable) as caught:
        list(boot.run())
    assert (caught.value.reason, caught.value.link) == ("Python 3.7 is past its end of life", LINK)
