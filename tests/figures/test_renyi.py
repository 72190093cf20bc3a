"""Chapter 3's figures (rslib.figures._renyi): radii against p_A, the optimal order, Lemma 1's minimiser, and both
certificates from the same bounds."""

import numpy as np
import pytest

from rslib import certificates, figures
from rslib.theory import renyi


def test_paired_radii_turn_the_same_bounds_into_both_certificates():
    p_a, p_b = np.array([0.9, 0.6, 0.7]), np.array([0.05, 0.3, 0.3 + 1e-12])  # the last pair sums past 1 by rounding
    fns = figures.paired_radii(0.5)
    assert list(fns) == ["Rényi", "Cohen"]
    np.testing.assert_allclose(fns["Rényi"](p_a[:2], p_b[:2]), certificates.renyi_l2(p_a[:2], p_b[:2], sigma=0.5))
    np.testing.assert_allclose(
        fns["Cohen"](p_a, p_b), certificates.gaussian_l2(p_a, np.minimum(p_b, 1 - p_a), sigma=0.5)
    )
    assert (fns["Rényi"](p_a, p_b) <= fns["Cohen"](p_a, p_b) + 1e-12).all()


def _drawn(radius):
    return np.where(radius == certificates.NOT_CERTIFIED, np.nan, radius)


def test_radii_against_p_a_draw_the_three_certificates_for_each_p_b():
    fig = figures.radii_against_p_a(sigma=0.7, p_b_values=(0.05, 0.2), points=60)
    assert [t.name for t in fig.data] == ["Rényi bound (Li et al.)", "Cohen et al. (tight)", "PixelDP (best ε, δ)"]
    for step, p_b in zip(fig.layout.sliders[0].steps, (0.05, 0.2)):
        p_a = np.asarray(step.args[0]["x"][0])
        assert p_a[0] == pytest.approx(p_b) and p_a[-1] == pytest.approx(1 - p_b) and len(p_a) == 60
        renyi, cohen, pixeldp = (np.asarray(y, dtype=float) for y in step.args[0]["y"])
        np.testing.assert_allclose(renyi, _drawn(certificates.renyi_l2(p_a, p_b, sigma=0.7)))
        np.testing.assert_allclose(cohen, _drawn(certificates.gaussian_l2(p_a, p_b, sigma=0.7)))
        np.testing.assert_allclose(pixeldp, _drawn(certificates.pixeldp_l2(p_a, p_b, sigma=0.7)))
        shown = ~np.isnan(pixeldp)
        assert shown.any() and (pixeldp[shown] <= renyi[shown] + 1e-12).all() and (renyi[shown] <= cohen[shown]).all()


def test_optimal_order_draws_the_order_attaining_the_supremum():
    fig = figures.optimal_order(p_b_values=(0.01, 0.1), points=30)
    assert [t.name for t in fig.data] == ["p<sub>B</sub> = 0.01", "p<sub>B</sub> = 0.1"]
    for trace, p_b in zip(fig.data, (0.01, 0.1)):
        np.testing.assert_allclose(trace.y, certificates.renyi_optimal_order(np.asarray(trace.x), p_b))
        assert (np.asarray(trace.y) >= 1).all()


def test_lemma1_figure_shows_the_minimising_q_for_each_order():
    p = (0.55, 0.3, 0.1, 0.05)
    fig = figures.lemma1_minimizer(p, orders=(1.5, 10))
    np.testing.assert_allclose(fig.data[0].y, p)
    for step, order in zip(fig.layout.sliders[0].steps, (1.5, 10)):
        q = renyi.lemma1_minimizer(p, order=order)
        np.testing.assert_allclose(step.args[0]["y"][0], q)
        assert step.args[1]["title.text"].endswith(f"= {renyi.lemma1_bound(p, order=order):.4f}")
