"""Figures and widgets show what rslib computes, and widgets react to their controls."""
import numpy as np
import pytest

from rslib import neyman_pearson, radii, viz, widgets


def test_radius_curves_follow_gaussian_l2_for_every_slider_step():
    fig = viz.radius_vs_p_a(sigmas=(0.5, 1.0), p_b_values=(None, 0.1), points=50)
    p_a = np.asarray(fig.data[0].x)
    np.testing.assert_allclose(fig.data[1].y, radii.gaussian_l2(p_a, 1.0))
    second = fig.layout.sliders[0].steps[1].args[0]["y"][0]
    ok = p_a <= 0.9
    np.testing.assert_allclose(np.asarray(second)[ok], radii.gaussian_l2(p_a[ok], 0.5, 0.1))
    assert np.isnan(np.asarray(second)[~ok]).all()


def test_half_space_slider_titles_report_the_shifted_probabilities():
    fig = viz.half_spaces_2d(p_a=0.8, p_b=0.1, sigma=1.0, delta_norms=[0.0, 0.5, 2.0])
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 3
    for step, d in zip(steps, [0.0, 0.5, 2.0]):
        in_a, in_b = neyman_pearson.shifted_probabilities(0.8, 0.1, 1.0, d)
        title = step.args[1]["title.text"]
        assert f"{float(in_a):.3f}" in title and f"{float(in_b):.3f}" in title
        assert ("not certified" in title) == (d >= radii.gaussian_l2(0.8, 1.0, 0.1))


def test_shifted_probabilities_curve_marks_the_radius():
    fig = viz.shifted_probabilities_curve(0.9, 0.05, 0.5)
    radius = radii.gaussian_l2(0.9, 0.5, 0.05)
    assert fig.layout.shapes[0].x0 == pytest.approx(radius)


def test_certified_accuracy_figure_has_one_curve_per_run():
    grid = np.linspace(0, 1, 5)
    fig = viz.certified_accuracy({"a": (grid, grid[::-1]), "b": (grid, grid)})
    assert [t.name for t in fig.data] == ["a", "b"]


def test_half_space_explorer_redraws_and_rejects_inconsistent_bounds():
    box = widgets.half_space_explorer(p_a=0.8, p_b=0.1, sigma=1.0, delta_norm=0.5)
    sliders = [c for row in box.children[:2] for c in row.children]
    p_a_slider, p_b_slider, _, delta_slider, _ = sliders
    figure, message = box.children[3], box.children[2]
    title_before = figure.layout.title.text
    delta_slider.value = 1.5
    assert figure.layout.title.text != title_before and "1.500" in figure.layout.title.text
    p_b_slider.value = 0.5
    assert "p_A + p_B must be at most 1" in message.value


def test_radius_explorer_reports_the_radius():
    box = widgets.radius_explorer(p_a=0.9, p_b=0.05, sigma=0.5)
    assert f"{radii.gaussian_l2(0.9, 0.5, 0.05):.4f}" in box.children[2].value
    box.children[1].value = True  # binary
    assert f"{radii.gaussian_l2(0.9, 0.5):.4f}" in box.children[2].value
