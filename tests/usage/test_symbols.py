"""Reading one module's imports and fully qualified symbols from real-world code shapes."""

from __future__ import annotations

import ast
import textwrap

from thoth_cli.usage.model import LibraryUsage
from thoth_cli.usage.symbols import SourceUsage, source_usage


def read(source: str) -> SourceUsage:
    return source_usage(ast.parse(textwrap.dedent(source)))


def test_an_aliased_module_resolves_attribute_chains() -> None:
    found = read("""
        import a.b as c
        c.d.e()
    """)
    assert found == SourceUsage(modules=frozenset({"a"}), symbols=frozenset({"a.b", "a.b.d.e"}))


def test_a_name_imported_from_a_module_resolves_attribute_chains() -> None:
    found = read("""
        from a.b import c
        c.d
        from a.b import f as g
        g.h.i
    """)
    assert found.modules == {"a"}
    assert found.symbols == {"a.b.c", "a.b.c.d", "a.b.f", "a.b.f.h.i"}


def test_a_dotted_import_binds_its_top_level_package() -> None:
    found = read("""
        import os.path
        os.path.join("a", "b")
        os.environ["HOME"]
    """)
    assert found.symbols == {"os.path", "os.path.join", "os.environ"}


def test_a_chain_stops_where_a_call_returns_something_else() -> None:
    found = read("""
        import numpy as np
        np.linalg.norm(np.zeros(3)).sum()
        np.array([1])[0].item()
    """)
    assert found.symbols == {"numpy", "numpy.linalg.norm", "numpy.zeros", "numpy.array"}


def test_the_tensorflow_example_of_the_design() -> None:
    found = read("""
        import tensorflow as tf
        from tensorflow.keras import layers
        from tensorflow.keras.callbacks import ModelCheckpoint

        model = tf.keras.Sequential([layers.LSTM(64), layers.Dense(1)])
        model.fit(x, y, callbacks=[ModelCheckpoint("best.h5")])
    """)
    usage = LibraryUsage(found.modules, found.symbols)
    assert usage.uses_all(["tensorflow.keras.callbacks.ModelCheckpoint", "tensorflow.keras.layers.LSTM"])
    assert found.symbols == {
        "tensorflow",
        "tensorflow.keras.layers",
        "tensorflow.keras.layers.LSTM",
        "tensorflow.keras.layers.Dense",
        "tensorflow.keras.callbacks.ModelCheckpoint",
        "tensorflow.keras.Sequential",
    }


def test_an_alias_made_by_assignment_is_followed() -> None:
    found = read("""
        import tensorflow as tf
        layers = tf.keras.layers
        lstm: type = layers.LSTM
        layers.Dense(3)
        lstm(4)
    """)
    assert found.symbols == {
        "tensorflow",
        "tensorflow.keras.layers",
        "tensorflow.keras.layers.LSTM",
        "tensorflow.keras.layers.Dense",
    }


def test_a_star_import_reports_the_module_but_not_the_names_it_may_bind() -> None:
    found = read("""
        from tensorflow.keras.layers import *
        LSTM(64)
    """)
    assert found == SourceUsage(
        modules=frozenset({"tensorflow"}), symbols=frozenset({"tensorflow.keras.layers"})
    )


def test_a_name_bound_again_no_longer_stands_for_the_module() -> None:
    found = read("""
        import numpy as np
        np.array
        np = None
        np.zeros
    """)
    assert found.symbols == {"numpy", "numpy.array"}


def test_every_kind_of_binding_hides_an_import() -> None:
    found = read("""
        import a, b, c, d, e, f, g, h, k
        def run(a, *b, c=1, **d):
            a.x, b.x, c.x, d.x
        for e in range(3):
            e.x
        with open("x") as f:
            f.x
        try:
            pass
        except ValueError as g:
            g.x
        class h:
            pass
        h.x
        del k
        k.x
    """)
    assert found.symbols == {"a", "b", "c", "d", "e", "f", "g", "h", "k"}


def test_parameters_hide_an_import_only_inside_their_function() -> None:
    found = read("""
        import numpy as np
        def scale(np, factor=np.float32(2)):
            return np.multiply
        square = lambda np: np.square
        roots = [np.sqrt for np in range(3)]
        np.ones
    """)
    assert found.symbols == {"numpy", "numpy.float32", "numpy.ones"}


def test_try_except_import_error_keeps_both_alternatives() -> None:
    found = read("""
        try:
            import simplejson as json
        except ImportError:
            import json
        json.loads("{}")
    """)
    assert found.modules == {"simplejson", "json"}
    assert found.symbols == {"simplejson", "json", "simplejson.loads", "json.loads"}


def test_a_fallback_to_none_keeps_the_import() -> None:
    found = read("""
        try:
            import yaml
        except ImportError:
            yaml = None
        if yaml is not None:
            yaml.safe_load("a: 1")
    """)
    assert found.symbols == {"yaml", "yaml.safe_load"}


def test_conditional_imports_keep_every_branch() -> None:
    found = read("""
        import sys
        if sys.version_info >= (3, 11):
            import tomllib
        else:
            import tomli as tomllib
        tomllib.loads("")
    """)
    assert found.modules == {"sys", "tomllib", "tomli"}
    assert found.symbols == {"sys", "sys.version_info", "tomllib", "tomli", "tomllib.loads", "tomli.loads"}


def test_imports_inside_functions_count_but_stay_there() -> None:
    found = read("""
        def load(text):
            import yaml
            return yaml.safe_load(text)

        def dump(data):
            return yaml.dump(data)
    """)
    assert found.modules == {"yaml"}
    assert found.symbols == {"yaml", "yaml.safe_load"}


def test_functions_see_the_imports_of_their_module_and_enclosing_function() -> None:
    found = read("""
        import requests
        def outer():
            from requests import adapters
            def inner():
                return requests.Session(), adapters.HTTPAdapter()
            return inner
    """)
    assert found.symbols == {
        "requests",
        "requests.Session",
        "requests.adapters",
        "requests.adapters.HTTPAdapter",
    }


def test_methods_do_not_see_what_a_class_body_imports() -> None:
    found = read("""
        class Model:
            import numpy as np
            zeros = np.zeros

            def run(self):
                return np.ones
    """)
    assert found.symbols == {"numpy", "numpy.zeros"}


def test_type_checking_imports_count_and_are_marked() -> None:
    found = read("""
        from __future__ import annotations
        import typing
        from typing import TYPE_CHECKING
        import numpy

        if TYPE_CHECKING:
            from pandas import DataFrame
            import numpy.typing as npt
        if typing.TYPE_CHECKING:
            import polars as pl
        else:
            import pyarrow

        def convert(frame: DataFrame, other: pl.DataFrame) -> npt.NDArray:
            return numpy.asarray(frame)
    """)
    assert found.modules == {"__future__", "typing", "numpy", "pandas", "polars", "pyarrow"}
    assert found.type_checking_only == {"pandas", "polars"}
    assert {"pandas.DataFrame", "polars.DataFrame", "numpy.typing.NDArray"} <= found.symbols


def test_a_literal_import_module_counts_as_an_import() -> None:
    found = read("""
        import importlib
        from importlib import import_module
        backend = importlib.import_module("torch.cuda")
        backend.is_available()
        import_module("yaml")
        importlib.import_module(name)
        importlib.import_module(".plugins", __package__)
        pkg = __import__("xml.dom")
        pkg.dom.minidom
    """)
    assert found.modules == {"importlib", "torch", "yaml", "xml"}
    assert {"torch.cuda", "torch.cuda.is_available", "yaml", "xml.dom", "xml.dom.minidom"} <= found.symbols


def test_relative_imports_are_skipped_and_hide_what_they_rebind() -> None:
    found = read("""
        import json
        from . import helpers
        from .compat import json
        from .. import *
        json.loads("{}")
        helpers.run()
    """)
    assert found == SourceUsage(modules=frozenset({"json"}), symbols=frozenset({"json"}))


def test_decorators_bases_annotations_and_defaults_are_uses() -> None:
    found = read("""
        import pytest
        import pydantic
        import attrs

        @pytest.fixture(scope="session")
        def config(tmp: pydantic.types.DirectoryPath = attrs.NOTHING) -> pydantic.BaseSettings: ...

        class Settings(pydantic.BaseModel, metaclass=attrs.Meta):
            name: pydantic.constr(min_length=1)
    """)
    assert found.symbols == {
        "pytest",
        "pydantic",
        "attrs",
        "pytest.fixture",
        "pydantic.types.DirectoryPath",
        "attrs.NOTHING",
        "pydantic.BaseSettings",
        "pydantic.BaseModel",
        "attrs.Meta",
        "pydantic.constr",
    }


def test_a_walrus_and_a_match_capture_bind_names() -> None:
    found = read("""
        import re
        import os
        if (re := compile_pattern()):
            re.search
        match command:
            case [os, *rest]:
                os.getcwd
            case {"path": os.sep}:
                pass
    """)
    assert found.symbols == {"re", "os", "os.sep"}


def test_an_attribute_assigned_is_a_use() -> None:
    found = read("""
        import matplotlib
        matplotlib.rcParams["figure.dpi"] = 200
        matplotlib.use_tex, count = True, 1
    """)
    assert found.symbols == {"matplotlib", "matplotlib.rcParams", "matplotlib.use_tex"}
