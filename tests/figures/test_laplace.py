"""Chapter 2's figures (rslib.figures._laplace): overlapping balls, the likelihood statistic's CDF, the half-space
of Theorem 3 as {T > beta} plus a part of a level set, the comparison with Lecuyer et al., the worst case, ROPS."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rslib import certificates, figures
from rslib.theory import laplace as lt


def test_level_set_figure_follows_the_case_analysis():
    fig = figures.half_space_as_level_sets(delta_norm=1.0, thresholds=(0.0, 0.3, 1.4))
    z = np.asarray(fig.data[0].x)
    for step, t in zip(fig.layout.sliders[0].steps, (0.0, 0.3, 1.4)):
        statistic, above, level, beta = (np.asarray(y, float) for y in step.args[0]["y"])
        inside = z <= t
        # together {T > beta} and S' cover exactly the half-space, and S' lies on the level beta
        covered = ~np.isnan(above) | ~np.isnan(level)
        assert np.array_equal(covered, inside)
        assert np.allclose(level[~np.isnan(level)], beta[0])
        assert np.all(above[~np.isnan(above)] > beta[0])
        assert beta[0] == {0.0: 1.0, 0.3: 1.0 - 2 * 0.3, 1.4: -1.0}[t]
        assert np.array_equal(~np.isnan(above), inside & (statistic > beta[0] + 1e-12))


def test_overlap_areas_of_balls_in_the_plane():
    assert figures.overlap_area((0, 0), 2) == pytest.approx(np.pi, rel=1e-2)
    assert figures.overlap_area((0, 0), 1) == pytest.approx(2.0, rel=1e-2)  # the l1 unit ball: a square of side sqrt 2
    assert figures.overlap_area((2.2, 0), 2) == 0.0 and figures.overlap_area((1.1, 1.1), 1) == 0.0
    # the same l1 shift overlaps less along an axis than along a diagonal; an l2 shift the same in every direction
    assert figures.overlap_area((0.8, 0), 1) < figures.overlap_area((0.4, 0.4), 1) - 0.1
    diagonal = 0.8 / np.sqrt(2)
    assert figures.overlap_area((0.8, 0), 2) == pytest.approx(figures.overlap_area((diagonal, diagonal), 2), rel=1e-2)


def test_the_l1_ball_asymmetry_shifts_each_ball_by_a_fixed_norm():
    fig = figures.l1_ball_asymmetry(delta_norm=0.8, angles_degrees=(0, 45))
    for step, angle in zip(fig.layout.sliders[0].steps, (0, 45)):
        (x1, x2), (y1, y2) = step.args[0]["x"], step.args[0]["y"]
        center1 = np.array([np.mean(x1[:4]), np.mean(y1[:4])])  # the l1 ball's four vertices (the fifth closes it)
        assert np.abs(center1).sum() == pytest.approx(0.8, abs=1e-3)
        assert np.abs(np.asarray(x1) - center1[0]) + np.abs(np.asarray(y1) - center1[1]) == pytest.approx(1, abs=1e-3)
        assert np.hypot(np.mean(x2[:-1]), np.mean(y2[:-1])) == pytest.approx(0.8, abs=1e-3)  # the l2 ball's centre
        u = np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
        a1, a2 = figures.overlap_area(0.8 * u / np.abs(u).sum(), 1), figures.overlap_area(0.8 * u, 2)
        assert step.args[1]["title.text"] == (
            f"direction {angle}°: overlap of the ℓ₁ balls {a1:.3f}, of the ℓ₂ balls {a2:.3f}"
        )


def test_the_statistic_s_cdf_jumps_at_both_atoms():
    fig = figures.likelihood_statistic_cdf(scale=1.0, delta_norms=(0.5, 1.0), n=40_000)
    for step, d in zip(fig.layout.sliders[0].steps, (0.5, 1.0)):
        t, cdf = np.asarray(step.args[0]["x"][0]), np.asarray(step.args[0]["y"][0])
        assert (np.diff(cdf) >= 0).all() and cdf[0] == 0 and cdf[-1] == 1
        inner = (t > -2.2) & (t < 2.2)
        assert (t[inner] >= -d - 1e-12).all() and (t[inner] <= d + 1e-12).all()  # |T| <= ||delta||_1
        # T = -||delta||_1 when X >= ||delta||_1: probability exp(-||delta||_1 / scale) / 2 in one dimension
        assert cdf[inner][np.isclose(t[inner], -d)].max() == pytest.approx(np.exp(-d) / 2, abs=0.01)
        atom = float(re.search(r"≈ ([0-9.]+)", step.args[1]["title.text"]).group(1))
        assert atom == pytest.approx(0.5, abs=0.01)  # T = +||delta||_1 when X <= 0


def test_the_comparison_region_marks_where_each_term_of_theorem_1_wins():
    fig = figures.lecuyer_comparison_region(points=60)
    p_a, p_b, winner = np.asarray(fig.data[0].x), np.asarray(fig.data[0].y), np.asarray(fig.data[0].z, dtype=float)
    aa, bb = np.meshgrid(p_a, p_b)
    valid = (bb < aa) & (aa + bb <= 1)
    assert np.isnan(winner[~valid]).all() and not np.isnan(winner[valid]).any()
    gap, ratio = -np.log1p(-(aa - bb)[valid]), 0.5 * np.log(aa[valid] / bb[valid])
    assert np.array_equal(winner[valid] == 1, gap >= ratio)
    upper = p_a >= 0.5
    np.testing.assert_allclose(fig.data[1].y, (1 - p_a[upper]) ** 2 / p_a[upper], atol=1e-12)


def test_the_l1_radius_comparison_draws_the_three_certificates_at_equal_variance():
    fig = figures.l1_radius_comparison(sigmas=(0.5, 1.0), points=50)
    p_a = np.asarray(fig.data[0].x)
    for step, sigma in zip(fig.layout.sliders[0].steps, (0.5, 1.0)):
        laplace, lecuyer, gaussian = (np.asarray(y, dtype=float) for y in step.args[0]["y"])
        drawn = lambda r: np.where(r == certificates.NOT_CERTIFIED, np.nan, r)
        np.testing.assert_allclose(laplace, drawn(certificates.laplace_l1(p_a, scale=sigma / np.sqrt(2))))
        np.testing.assert_allclose(lecuyer, drawn(certificates.lecuyer_l1(p_a, scale=sigma / np.sqrt(2))))
        np.testing.assert_allclose(gaussian, drawn(certificates.gaussian_l1(p_a, sigma=sigma)))
        both = ~np.isnan(laplace) & ~np.isnan(lecuyer)
        assert both.sum() > 40 and (laplace[both] >= lecuyer[both]).all()


def test_the_worst_case_crosses_one_half_at_the_binary_radius():
    fig = figures.worst_case_tightness(p_a=0.8, scale=0.5, mc_points=5, n=40_000, seed=0)
    radius = float(certificates.laplace_l1(0.8, scale=0.5))
    shifts, exact = np.asarray(fig.data[0].x), np.asarray(fig.data[0].y)
    assert exact[0] == pytest.approx(0.8) and fig.layout.shapes[1].x0 == pytest.approx(radius)
    assert np.interp(radius, shifts, exact) == pytest.approx(0.5, abs=1e-3)
    mc_shifts, mc = np.asarray(fig.data[1].x), np.asarray(fig.data[1].y)
    expected = np.interp(mc_shifts, shifts, exact)
    assert np.abs(mc - expected).max() < 5 * np.sqrt(0.25 / 40_000)  # Monte Carlo within 5 standard errors


def test_the_rops_figures_draw_rops_for_both_noises():
    by_x, by_r = figures.rops_figures(xs=[0.0, 0.5], radii_grid=[0.0, 0.2], x_fixed=0.3)
    for fig, values in ((by_x, [(x, None) for x in (0.0, 0.5)]), (by_r, [(0.3, r) for r in (0.0, 0.2)])):
        assert [t.name for t in fig.data] == ["Laplace", "Gaussian"]
        for trace, kind in zip(fig.data, ("laplace", "gaussian")):
            expected = [lt.rops(x, kind) if r is None else lt.rops(x, kind, r) for x, r in values]
            np.testing.assert_allclose(trace.y, expected)
