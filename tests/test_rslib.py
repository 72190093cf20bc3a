"""The top level of the package (rslib/__init__.py): the subpackages and the main names, imported on first use."""

import pytest


def test_the_main_names_are_at_the_top_level():
    import rslib

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
