"""Norm equivalences in R^d (rslib.theory.norms): the tightest constants, attained, and the order of balls."""

import numpy as np
import pytest

from rslib.theory import norms


@pytest.mark.parametrize(
    "p,q,d,expected",
    [
        (np.inf, 1, 7, 1.0),
        (1, np.inf, 7, 7.0),
        (np.inf, 2, 7, 1.0),
        (2, np.inf, 7, np.sqrt(7)),
        (2, 1, 7, 1.0),
        (1, 2, 7, np.sqrt(7)),
    ],
)
def test_norm_constants_c1_to_c6(p, q, d, expected):
    assert norms.tightest_constant(p, q, d) == pytest.approx(expected)
    assert norms.largest_observed_ratio(p, q, d) == pytest.approx(expected)  # attained
    x = np.random.default_rng(2).normal(size=(5000, d))
    assert (norms.lp_norm(x, p) <= expected * norms.lp_norm(x, q) * (1 + 1e-12)).all()


def test_ball_order():
    d = 9
    chain = [(1, 1), (2, 1), (np.inf, 1), (2, np.sqrt(d)), (1, d)]
    for (p_in, r_in), (p_out, r_out) in zip(chain, chain[1:]):
        assert norms.ball_is_contained(p_in, r_in, p_out, r_out, d)
        assert not norms.ball_is_contained(p_out, r_out, p_in, r_in, d)


def test_bad_arguments():
    with pytest.raises(ValueError, match="p must be >= 1"):
        norms.tightest_constant(0.5, 2, 3)
