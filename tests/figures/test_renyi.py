"""Chapter 3's figures (rslib.figures._renyi)."""

import numpy as np

from rslib import certificates, figures


def test_paired_radii_turn_the_same_bounds_into_both_certificates():

    p_a, p_b = np.array([0.9, 0.6, 0.7]), np.array([0.05, 0.3, 0.3 + 1e-12])  # the last pair sums past 1 by rounding
    fns = figures.paired_radii(0.5)
    assert list(fns) == ["Rényi", "Cohen"]
    np.testing.assert_allclose(fns["Rényi"](p_a[:2], p_b[:2]), certificates.renyi_l2(p_a[:2], p_b[:2], sigma=0.5))
    np.testing.assert_allclose(
        fns["Cohen"](p_a, p_b), certificates.gaussian_l2(p_a, np.minimum(p_b, 1 - p_a), sigma=0.5)
    )
    assert (fns["Rényi"](p_a, p_b) <= fns["Cohen"](p_a, p_b) + 1e-12).all()
