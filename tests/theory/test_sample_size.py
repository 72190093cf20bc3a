"""The limits of sample-efficient certification (rslib.theory.sample_size): the Bernoulli KL, Wald's bound and the
oracle passes of fixed-radius decisions, the expected Clopper-Pearson radius and the oracle of radius estimation."""

import numpy as np
import pytest
from scipy.stats import binom, norm

from rslib import bounds
from rslib.theory import sample_size


def test_oracle_bound():
    assert sample_size.bernoulli_kl(0.5, 0.5) == 0
    assert sample_size.bernoulli_kl(0.9, 0.5) == pytest.approx(0.9 * np.log(1.8) + 0.1 * np.log(0.2))
    assert sample_size.wald_samples(0.99, 0.9, alpha=0.001) == pytest.approx(
        np.log(1000) / (0.99 * np.log(0.99 / 0.9) + 0.01 * np.log(0.01 / 0.1))
    )
    assert np.isinf(sample_size.wald_samples(0.7, 0.7, alpha=0.01))
    passes = sample_size.oracle_passes(np.array([0.99, 0.7]), 0.9, alpha=0.001, n0=100, n_max=100_000)
    assert passes[0] == pytest.approx(100 + sample_size.wald_samples(0.99, 0.9, alpha=0.001))
    assert sample_size.oracle_passes(1.0, float(norm.cdf(4.0)), alpha=0.001, n0=100, n_max=100_000) == 0


def test_expected_radius_matches_a_direct_sum_over_the_binomial_law():
    # E R(n) = sum_k P(K = k) sigma Phi^-1(CP_lower(k)), radius 0 where the bound is <= 1/2.
    p, n, sigma, alpha = 0.97, 2000, 0.5, 0.001
    k = np.arange(n + 1)
    lower = bounds.clopper_pearson(k, n, alpha)
    radius = np.where(lower > 0.5, sigma * norm.ppf(np.clip(lower, 0.5, 1.0)), 0.0)
    direct = float((binom.pmf(k, n, p) * radius).sum())
    assert sample_size.expected_radius(np.array([p]), n, sigma=sigma, alpha=alpha)[0] == pytest.approx(direct, rel=2e-3)
    assert sample_size.expected_radius(np.array([0.4]), n, sigma=sigma, alpha=alpha)[0] == 0


def test_the_adaptive_oracle_trades_passes_for_loss():
    p_a = np.array([0.6, 0.9, 0.99, 0.999, 1.0])
    oracle = sample_size.adaptive_oracle(p_a, sigma=0.5, alpha=0.001, losses=(0.01, 0.05, 0.5), speedups=(2.0, 50.0))
    passes = [oracle.passes[loss] for loss in (0.01, 0.05, 0.5)]
    assert passes == sorted(passes, reverse=True) and passes[0] <= 100_100  # more loss allowed, fewer passes
    assert oracle.speedups[0.05] == pytest.approx(100_100 / oracle.passes[0.05])
    assert 0 <= oracle.least_loss[2.0] <= oracle.least_loss[50.0]
    with pytest.raises(ValueError, match="alpha must lie in the open interval"):
        sample_size.adaptive_oracle(p_a, sigma=0.5, alpha=0)


def test_errors_name_the_parameter_the_caller_passed():
    with pytest.raises(ValueError, match="p_a must lie in"):
        sample_size.wald_samples(2.0, 0.5, alpha=0.001)
    with pytest.raises(ValueError, match="p0 must not be NaN"):
        sample_size.oracle_passes(0.9, float("nan"), alpha=0.001, n0=100, n_max=1000)
    with pytest.raises(ValueError, match="alpha must lie in the open interval"):
        sample_size.wald_samples(0.9, 0.8, alpha=0)
