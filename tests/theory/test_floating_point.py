"""Floating-point soundness (rslib.theory.floating_point): the integer thresholds of the rounded Gaussian are within
their stated total-variation distance of the exact law, and the counterexample where the naive sampler's
certificate is wrong and the grid sampler's is not."""

import mpmath
import numpy as np
import pytest

from rslib.theory import floating_point


@pytest.mark.parametrize("sigma", [0.25, 1.0])
def test_thresholds_are_within_their_stated_distance_of_the_exact_law(sigma):
    table = floating_point.rounded_gaussian_table(sigma)
    assert (np.diff(table.thresholds) >= 0).all() and table.pmf().sum() == pytest.approx(1.0, abs=1e-15)
    assert table.tv_bound < 1e-10
    mpmath.mp.dps = 40
    worst = 0.0
    for i in np.linspace(0, table.thresholds.size - 1, 41).astype(int):
        exact = mpmath.ncdf(mpmath.mpf(int(table.j_min + i) * 2 + 1) / 510 / mpmath.mpf(sigma))
        worst += float(abs(mpmath.mpf(int(table.thresholds[i])) / 2**63 - exact))
    assert worst <= table.tv_bound  # 41 of the thresholds' errors already sum below the whole bound


def test_the_naive_sampler_certifies_falsely_and_the_sound_one_does_not():
    example = floating_point.counterexample()
    assert example.naive_radius > 3.8 and example.distance < example.naive_radius
    assert example.naive_votes_at_x1 == 0  # the smoothed prediction at x1, inside the ball, is not A
    assert example.sound_votes_at_x0 == 0  # A is never certified with the grid sampler
    assert example.threshold_radius > 0.3 and example.threshold_p_a_at_edge > 0.5


def test_bad_input():
    with pytest.raises(ValueError, match="step must be a finite number > 0"):
        floating_point.rounded_gaussian_table(0.5, step=0)
