"""The unsound Taylor-polynomial margin estimator (rslib.theory.taylor), kept as a counterexample: the polynomials
of Phi^-1 and the errata's counterexample."""

import numpy as np
import pytest
from scipy.stats import norm

from rslib.theory import taylor


def test_taylor_estimator_counterexample_of_the_errata():
    exact = taylor.counterexample(1)["true margin"]
    assert exact == pytest.approx(1.349, abs=1e-3)
    assert taylor.counterexample(3)["E[Z_M]"] == pytest.approx(1.581, abs=1e-3)
    assert taylor.counterexample(5)["E[Z_M]"] == pytest.approx(1.762, abs=1e-3)
    assert taylor.counterexample(3)["E[Z_M]"] > exact  # the "lower bound" overshoots: unsound
    with pytest.raises(ValueError, match="order must be one of"):
        taylor.inverse_normal_taylor(0.7, 4)


def test_the_polynomials_approach_phi_inverse_around_one_half():
    p = np.array([0.5, 0.52, 0.6, 0.8])
    errors = [np.abs(taylor.inverse_normal_taylor(p, order) - norm.ppf(p)) for order in (1, 3, 5, 7)]
    assert all(e[0] == 0 for e in errors)  # Phi^-1(1/2) = 0 exactly
    assert errors[3][1] < 1e-9 and all(a[-1] > b[-1] for a, b in zip(errors, errors[1:]))  # more terms, closer
    # order 1 is the tangent sqrt(2 pi) (p - 1/2), below Phi^-1 on (1/2, 1): the only order that stays sound
    np.testing.assert_allclose(taylor.inverse_normal_taylor(p, 1), np.sqrt(2 * np.pi) * (p - 0.5))
    assert (taylor.inverse_normal_taylor(p[1:], 1) < norm.ppf(p[1:])).all()


def test_at_order_1_the_estimator_stays_below_the_true_margin():
    # Z_1 = sqrt(2 pi) (X1 - X2) is linear (no Jensen gap): E[Z_1] = sqrt(2 pi) (3/4 - 1/4), below the true margin
    # because the tangent lies below Phi^-1 on (1/2, 1)
    example = taylor.counterexample(1)
    assert example["E[Z_M]"] == pytest.approx(np.sqrt(2 * np.pi) / 2) and example["E[Z_M]"] < example["true margin"]
