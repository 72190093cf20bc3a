"""The top level of the package (rslib/__init__.py): the subpackages and the main names, imported on first use."""

import importlib
import subprocess
import sys

import pytest

import rslib


def test_the_main_names_are_at_the_top_level():
    for name in (
        "Smoothed",
        "Gaussian",
        "Laplace",
        "Ablation",
        "load_pretrained",
        "certify_dataset",
        "read_results",
        "certificates",
        "bounds",
        "NOT_CERTIFIED",
    ):
        assert getattr(rslib, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'radii'"):
        rslib.radii  # noqa: B018 (the 0.1 module is gone, with a clear error)


def test_each_main_name_is_its_subpackage_s_object():
    for name, subpackage in rslib._NAMES.items():
        module = importlib.import_module(f"rslib.{subpackage}")
        assert getattr(rslib, name) is getattr(module, "read" if name == "read_results" else name), name
    assert rslib.read_results is rslib.results.read
    for subpackage in rslib._SUBPACKAGES:
        assert getattr(rslib, subpackage) is importlib.import_module(f"rslib.{subpackage}")


def test_dir_lists_the_api_and_the_version():
    assert dir(rslib) == sorted(rslib.__all__)
    assert {"__version__", "certificates", "cli", "Smoothed", "read_results"} <= set(dir(rslib))


def test_a_main_name_imports_its_subpackage_on_first_use():
    code = (
        "import sys, rslib; assert 'rslib.smoothing' not in sys.modules; rslib.Smoothed; "
        "assert 'rslib.smoothing' in sys.modules and 'torch' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
