"""Certified-accuracy figures (rslib.figures._accuracy): one curve per run, colours and dashes, studies."""

import numpy as np
import pytest

from rslib import figures


def test_certified_accuracy_figure_has_one_curve_per_run():
    grid = np.linspace(0, 1, 5)
    fig = figures.certified_accuracy({"a": (grid, grid[::-1]), "b": (grid, grid)})
    assert [t.name for t in fig.data] == ["a", "b"]


def test_certified_accuracy_studies_show_one_study_per_button():
    grid = np.arange(3)
    studies = {
        "k": {"top-1": (grid, [0.9, 0.5, 0.1]), "top-3": (grid, [1.0, 0.7, 0.2])},
        "n": {"n = 100": (grid, [0.8, 0.2, 0.0])},
    }
    fig = figures.certified_accuracy_studies(studies, x_title="pixels")
    assert [t.visible for t in fig.data] == [True, True, False]
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["k", "n"]
    assert buttons[1].args[0]["visible"] == [False, False, True]
    assert list(fig.data[2].y) == [0.8, 0.2, 0.0]


def test_certified_accuracy_colours_by_model_and_dashes_by_variant():
    grid = np.arange(3)
    names = [f"{m}, {v}" for m in ("STN, σ = 0.25", "aug, σ = 0.25", "STN, σ = 0.5") for v in ("Rényi", "Cohen")]
    fig = figures.certified_accuracy({n: (grid, grid) for n in names}, variant_sep=", ")
    colours, dashes = [t.line.color for t in fig.data], [t.line.dash for t in fig.data]
    assert colours[0] == colours[1] != colours[2] == colours[3] != colours[4] == colours[5] != colours[0]
    assert dashes == ["solid", "dash"] * 3
    plain = figures.certified_accuracy({f"c{i}": (grid, grid) for i in range(10)})
    assert len({t.line.color for t in plain.data}) == 10
    with pytest.raises(ValueError, match="variant_sep"):
        figures.certified_accuracy({"a": (grid, grid)}, variant_sep="; ")


def test_a_long_legend_goes_below_the_plot_and_the_figure_grows_to_hold_it():
    grid = np.arange(3)
    few = figures.certified_accuracy({f"c{i}": (grid, grid) for i in range(figures.LEGEND_BESIDE_MAX)})
    assert few.layout.legend.orientation is None and few.layout.height == 450  # beside the plot, plotly's default
    names = [f"σ = {s}: {c}" for s in (0.25, 0.5, 1.0) for c in ("Theorem 1", "Lecuyer et al.", "Cohen et al.")]
    many = figures.certified_accuracy({n: (grid, grid) for n in [*names, "σ = 0.5: Type 2"]}, variant_sep=": ")
    legend = many.layout.legend
    assert legend.orientation == "h" and legend.yanchor == "top" and legend.y < 0 and legend.xanchor == "left"
    assert many.layout.height > 450 + 10 * 20 and many.layout.margin.b >= 60 and many.layout.margin.r < 80
    # two factors, two encodings: a colour per noise level, a dash style per certificate
    assert len({t.line.color for t in many.data}) == 3 and len({t.line.dash for t in many.data}) == 4
