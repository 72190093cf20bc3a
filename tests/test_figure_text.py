"""What every plotly figure of rslib.figures writes: the prose's notation (ℓ₂, p<sub>A</sub>, not "l2", "p_A"),
titled axes, and log axes labelled at the powers of ten only."""

import inspect
import re

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from rslib import figures

GRID = np.linspace(0, 1, 5)


class _Run:
    """Stands for a `rslib.results.Results` in `certified_accuracy_beside`, which only asks for its curve."""

    def certified_accuracy(self, grid):
        return np.linspace(1, 0, len(grid))


# The figures whose arguments have no default, with small arguments; the rest are drawn with their defaults.
ARGUMENTS = {
    "certified_accuracy": {"curves": {f"σ = {s}: run {i}": (GRID, GRID[::-1]) for s in (0.25, 0.5) for i in (1, 2, 3)}},
    "certified_accuracy_studies": {"studies": {"k": {"top-1": (GRID, GRID)}, "n": {"n = 10": (GRID, GRID)}}},
    "certified_accuracy_beside": {
        "runs": {"a": _Run()},
        "reference": {"a": _Run()},
        "grid": GRID,
        "runs_label": "small",
        "reference_label": "large",
    },
    "ablated_views": {"image": torch.full((1, 6, 6), 0.5), "keeps": (3, 10), "seeds": (0, 1)},
}
FAST = {"points": 8}  # fewer points per curve, where a figure takes them: the text does not depend on it


def _figure_functions():
    for name in figures.__all__:
        function = getattr(figures, name)
        if inspect.isfunction(function) and "go.Figure" in str(inspect.signature(function).return_annotation):
            yield name


def _drawn(name):
    function = getattr(figures, name)
    parameters = inspect.signature(function).parameters
    arguments = {key: value for key, value in FAST.items() if key in parameters} | ARGUMENTS.get(name, {})
    made = function(**arguments)
    return list(made) if isinstance(made, tuple) else [made]


def _texts(node, key=""):
    """Every string of a figure's JSON that is shown as text, with the key it sits under (data arrays skipped)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in {"x", "y", "z", "customdata", "text"} or isinstance(v, str):
                yield from _texts(v, k)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _texts(item, key)
    elif isinstance(node, str) and key not in {"method", "type", "color", "fillcolor", "dash", "mode", "shape"}:
        yield key, node


IDENTIFIER = re.compile(r"\b(?:l[012]|[pc]_[ABl]|[KW]_t)\b")


def test_every_figure_function_is_drawn_here():
    names = list(_figure_functions())
    assert len(names) >= 20, names  # the selection by return annotation still finds the figures
    need_arguments = [
        n
        for n in names
        if any(p.default is inspect.Parameter.empty for p in inspect.signature(getattr(figures, n)).parameters.values())
    ]
    assert sorted(need_arguments) == sorted(ARGUMENTS)


@pytest.mark.parametrize("name", list(_figure_functions()))
def test_figure_text_is_written_in_the_prose_s_notation(name):
    for fig in _drawn(name):
        assert isinstance(fig, go.Figure)
        found = [(key, text) for key, text in _texts(fig.to_plotly_json()) if IDENTIFIER.search(text)]
        assert not found, f"{name} shows identifiers instead of ℓ₂ / p<sub>A</sub>: {found}"


def _log_axes(fig):
    return sorted(key for key in fig.layout if key.startswith(("xaxis", "yaxis")) and fig.layout[key].type == "log")


@pytest.mark.parametrize("name", list(_figure_functions()))
def test_log_axes_label_the_powers_of_ten_only(name):
    for fig in _drawn(name):
        for key in _log_axes(fig):
            # plotly's default over a few decades adds small "2" and "5" labels between the powers
            axis = fig.layout[key]
            assert axis.dtick == 1 or axis.tickvals is not None, f"{name}: {key} is a log axis without dtick=1"


def test_the_log_axes_are_those_of_sample_sizes_and_widths():
    found = {name: _log_axes(fig) for name in _figure_functions() for fig in _drawn(name) if _log_axes(fig)}
    assert found == {
        "radius_against_n": ["xaxis"],
        "bound_widths": ["xaxis", "yaxis"],
        "sequence_versus_intervals": ["xaxis"],
    }


def test_the_plane_of_the_proof_has_titled_axes():
    fig = figures.half_spaces_2d(delta_norms=[0.0, 0.5])
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("z₁", "z₂")


def test_the_radius_explorer_names_each_curve_s_norm_as_the_prose_does():
    fig = figures.radius_explorer_figure(p_b_values=(None,), points=5)
    norms = [t.name.rsplit(" (", 1)[1] for t in fig.data]
    assert set(norms) == {"ℓ₂)", "ℓ₁)"}
    assert [t.line.dash for t in fig.data] == ["solid" if n == "ℓ₂)" else "dash" for n in norms]
    assert fig.layout.sliders[0].currentvalue.prefix == "p<sub>B</sub> = "
    assert figures.NORM_NAMES == {"l2": "ℓ₂", "l1": "ℓ₁", "l0": "ℓ₀"}


def test_the_identifier_pattern_catches_what_it_should():
    assert IDENTIFIER.search("Certified l2 radius") and IDENTIFIER.search("p_A (lower bound)")
    assert IDENTIFIER.search("log K_t(m)") and IDENTIFIER.search("against p_l")
    assert not IDENTIFIER.search("p<sub>A</sub> + p<sub>B</sub> ≤ 1, ℓ₁ radius, radius_l2")
