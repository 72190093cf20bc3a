"""How many simulated trials a coverage test needs, and its critical count (used by the simulation tests of
randomized Clopper-Pearson and of sequential certification).

A procedure claims P(error) <= level. A test of that claim draws `trials` independent runs and fails when
more than `max_errors` of them err. The plan is chosen so that
- a procedure exactly at its level fails with probability <= false_alarm (a sound procedure rarely fails), and
- a procedure erring at `factor` times its level passes with probability <= 1 - power (an unsound one is caught).
"""

from __future__ import annotations

from typing import NamedTuple

from scipy.stats import binom


class CoveragePlan(NamedTuple):
    trials: int
    max_errors: int


def coverage_plan(level: float, *, factor: float = 1.5, power: float = 0.99, false_alarm: float = 1e-4) -> CoveragePlan:
    """The fewest trials (to 1%) meeting both conditions above, and the critical count."""

    def plan(trials: int) -> CoveragePlan | None:
        c = int(binom.isf(false_alarm, trials, level))  # least c with P(Bin(trials, level) > c) <= false_alarm
        return CoveragePlan(trials, c) if binom.cdf(c, trials, factor * level) <= 1 - power else None

    hi = 64
    while plan(hi) is None:
        hi *= 2
    lo = hi // 2
    while hi - lo > max(1, hi // 100):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if plan(mid) is not None else (mid, hi)
    result = plan(hi)
    assert result is not None
    return result
