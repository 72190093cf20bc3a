"""The Laplace l1 certificates (rslib.certificates._laplace): Teng et al.'s Theorems 1 and 2 against the worst
case, and Lecuyer et al.'s bound they dominate."""

import numpy as np
import pytest
from scipy import optimize, stats

from rslib import certificates
from rslib.certificates import NOT_CERTIFIED


def test_laplace_l1_binary_against_worst_case_integral():
    # Theorem 3's 1-D worst case: A = {z >= t} with P(A) = p_a under Laplace(0, scale); the radius is the
    # shift after which P(A) falls to 1/2 under Laplace(delta, scale).
    scale = 0.7
    for p_a in (0.6, 0.8, 0.95, 0.999):
        t = stats.laplace.ppf(1 - p_a, scale=scale)
        shift = optimize.brentq(lambda d: stats.laplace.sf(t, loc=-d, scale=scale) - 0.5, 0, 100)
        assert certificates.laplace_l1(p_a, scale=scale) == pytest.approx(shift, rel=1e-9)


def test_laplace_l1_multiclass_takes_the_larger_term():
    p_a, p_b, scale = 0.5, 0.1, 1.0
    expected = max(scale / 2 * np.log(p_a / p_b), -scale * np.log(1 - p_a + p_b))
    assert certificates.laplace_l1(p_a, p_b, scale=scale) == pytest.approx(expected)
    assert certificates.laplace_l1(0.3, 0.3, scale=1.0) == NOT_CERTIFIED


def test_binary_laplace_dominates_multiclass_form_with_p_b_equal_one_minus_p_a():
    # Theorem 2 is Theorem 1's second term at p_B = 1 - p_A; Theorem 1 can only be larger or equal.
    p_a = np.linspace(0.501, 0.999, 500)
    assert (certificates.laplace_l1(p_a, 1 - p_a, scale=1.0) >= certificates.laplace_l1(p_a, scale=1.0) - 1e-12).all()


def test_binary_theorem_2_dominates_lecuyer():
    p_a = np.linspace(0.5, 0.9999, 2000)
    assert (certificates.laplace_l1(p_a, scale=1.0) >= certificates.lecuyer_l1(p_a, scale=1.0) - 1e-12).all()


def test_lecuyer_formula_and_bad_input():
    assert certificates.lecuyer_l1(0.8, scale=2.0) == pytest.approx(np.log(4.0))
    assert certificates.lecuyer_l1(0.6, 0.1, scale=1.0) == pytest.approx(0.5 * np.log(6.0))
    assert certificates.lecuyer_l1(0.4, scale=1.0) == certificates.NOT_CERTIFIED
    with pytest.raises(ValueError, match="scale"):
        certificates.lecuyer_l1(0.8, scale=-1.0)
    assert certificates.gaussian_l1(0.8, sigma=0.5) == certificates.gaussian_l2(0.8, sigma=0.5)
