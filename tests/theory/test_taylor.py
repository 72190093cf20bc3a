"""The unsound Taylor-polynomial margin estimator (rslib.theory.taylor), kept as a counterexample."""

import pytest

from rslib.theory import taylor


def test_taylor_estimator_counterexample_of_the_errata():
    exact = taylor.counterexample(1)["true margin"]
    assert exact == pytest.approx(1.349, abs=1e-3)
    assert taylor.counterexample(3)["E[Z_M]"] == pytest.approx(1.581, abs=1e-3)
    assert taylor.counterexample(5)["E[Z_M]"] == pytest.approx(1.762, abs=1e-3)
    assert taylor.counterexample(3)["E[Z_M]"] > exact  # the "lower bound" overshoots: unsound
    with pytest.raises(ValueError, match="order must be one of"):
        taylor.inverse_normal_taylor(0.7, 4)
