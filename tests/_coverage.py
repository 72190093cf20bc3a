"""How many trials a coverage test needs, and how many misses it may allow, from exact binomial tails.

A bound of level alpha misses (lies on the wrong side of the quantity it bounds; for a confidence sequence:
ever does) with probability q <= alpha. Over independent trials the number of misses is Binomial(trials, q),
and a coverage test fails when it exceeds a limit. `plan(alpha)` returns the fewest trials, and their limit,
such that

- a correct bound (q <= alpha) fails the test with probability <= SIZE (0.001), and
- a bound that misses at FACTOR (1.5) times its level fails it with probability >= POWER (0.99).

Both tails are binomial, P(Binomial(trials, q) > limit), increasing in q; scipy computes them and
tests/test_coverage_helper.py checks them in exact rational arithmetic. A larger alpha needs fewer trials
(alpha = 0.2: 544, 0.1: 1,264, 0.05: 2,703), so tests of slow bounds run them at a large alpha.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["SIZE", "POWER", "FACTOR", "Plan", "plan"]

SIZE = 0.001
POWER = 0.99
FACTOR = 1.5


@dataclass(frozen=True)
class Plan:
    """A coverage test of a bound of level `alpha`: `trials` independent trials, failing above `limit` misses."""

    alpha: float
    trials: int
    limit: int

    def failure_probability(self, miss_rate: float) -> float:
        """P(Binomial(trials, miss_rate) > limit): how often a bound missing at `miss_rate` fails the test."""
        return float(stats.binom.sf(self.limit, self.trials, miss_rate))

    def check(self, misses, what: str = "the bound") -> None:
        """Fail when `misses` (a count, or a boolean array with one entry per trial) exceeds the limit."""
        if not np.isscalar(misses):
            misses = np.asarray(misses)
            assert misses.shape == (self.trials,), f"one miss flag per trial ({self.trials}), got {misses.shape}"
            misses = misses.sum()
        assert int(misses) <= self.limit, (
            f"{what} missed {int(misses)} times in {self.trials} trials, more than {self.limit}: a bound of level "
            f"{self.alpha} misses that often with probability <= {self.failure_probability(self.alpha):.1e}"
        )


@functools.cache
def plan(alpha: float, *, factor: float = FACTOR, size: float = SIZE, power: float = POWER) -> Plan:
    """The fewest trials (and their limit) with size <= `size` at `alpha` and power >= `power` at factor * alpha."""
    if not (0 < alpha and factor * alpha < 1):
        raise ValueError(f"alpha must lie in (0, 1 / factor), got {alpha!r}")
    for start in range(1, 1_000_000, 5_000):
        trials = np.arange(start, start + 5_000)
        limit = _smallest_limit(trials, alpha, size)  # the smallest limit of the right size has the most power
        found = np.flatnonzero(stats.binom.sf(limit, trials, factor * alpha) >= power)
        if found.size:
            return Plan(float(alpha), int(trials[found[0]]), int(limit[found[0]]))
    raise ValueError(f"no plan with fewer than 10**6 trials for alpha={alpha!r}")


def _smallest_limit(trials: np.ndarray, alpha: float, size: float) -> np.ndarray:
    """For each number of trials, the smallest limit L with P(Binomial(trials, alpha) > L) <= size."""
    limit = stats.binom.isf(size, trials, alpha).astype(int)
    # isf inverts a floating-point tail: step to the exact smallest limit where it is off by one
    limit = np.where(stats.binom.sf(limit, trials, alpha) > size, limit + 1, limit)
    return np.where(stats.binom.sf(limit - 1, trials, alpha) <= size, limit - 1, limit)
