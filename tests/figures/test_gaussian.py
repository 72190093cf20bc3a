"""Chapter 1's figures (rslib.figures._gaussian) show what rslib computes, on every slider step."""

import numpy as np
import pytest

from rslib import certificates, figures
from rslib.theory import neyman_pearson


def test_radius_curves_follow_gaussian_l2_for_every_slider_step():
    fig = figures.radius_vs_p_a(sigmas=(0.5, 1.0), p_b_values=(None, 0.1), points=50)
    p_a = np.asarray(fig.data[0].x)
    drawn = lambda r: np.where(r == certificates.NOT_CERTIFIED, np.nan, r)  # blank where nothing is certified
    np.testing.assert_allclose(np.asarray(fig.data[1].y, dtype=float), drawn(certificates.gaussian_l2(p_a, sigma=1.0)))
    second = fig.layout.sliders[0].steps[1].args[0]["y"][0]
    ok = p_a <= 0.9
    np.testing.assert_allclose(
        np.asarray(second, dtype=float)[ok], drawn(certificates.gaussian_l2(p_a[ok], 0.1, sigma=0.5))
    )
    assert np.isnan(np.asarray(second)[~ok]).all()


def test_half_space_slider_titles_report_the_shifted_probabilities():
    fig = figures.half_spaces_2d(p_a=0.8, p_b=0.1, sigma=1.0, delta_norms=[0.0, 0.5, 2.0])
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 3
    for step, d in zip(steps, [0.0, 0.5, 2.0]):
        in_a, in_b = neyman_pearson.shifted_probabilities(0.8, 0.1, 1.0, d)
        title = step.args[1]["title.text"]
        assert f"{float(in_a):.3f}" in title and f"{float(in_b):.3f}" in title
        assert ("not certified" in title) == (d >= certificates.gaussian_l2(0.8, 0.1, sigma=1.0))


def test_shifted_probabilities_curve_marks_the_radius():
    fig = figures.shifted_probabilities_curve(0.9, 0.05, 0.5)
    radius = certificates.gaussian_l2(0.9, 0.05, sigma=0.5)
    assert fig.layout.shapes[0].x0 == pytest.approx(radius)


def test_figures_check_their_slider_settings():
    with pytest.raises(ValueError, match="p_b_values must be None or numbers in \\[0, 0.5\\], got \\(None, 0.6\\)"):
        figures.radius_explorer_figure(p_b_values=(None, 0.6))
    fig = figures.radius_explorer_figure(p_b_values=(0.0, 0.5), points=5)  # the ends are valid
    assert len(fig.layout.sliders[0].steps) == 2
    for active in (1, -1):
        with pytest.raises(ValueError, match="active must be an integer in \\[0, 0\\]"):
            figures.half_spaces_2d(delta_norms=[0.5], active=active)
    assert figures.half_spaces_2d(delta_norms=[0.0, 0.5], active=1).layout.sliders[0].active == 1
