"""tests/_coverage.py, the trials and limits of every coverage test, checked in exact rational arithmetic:
its size (a correct bound fails with probability <= 0.001), its power (a bound missing at 1.5 times its level
fails with probability >= 0.99), and that no fewer trials would do."""

from fractions import Fraction

import _coverage
import numpy as np
import pytest

ALPHAS = [0.05, 0.1, 0.2, 0.3]  # every level the coverage tests use, and one more
SIZE, POWER, FACTOR = (Fraction(str(v)) for v in (_coverage.SIZE, _coverage.POWER, _coverage.FACTOR))


class Tails:
    """P(Binomial(trials, q) > limit) for every limit, exactly, for q = a / b rational.

    The terms C(trials, k) a^k (b - a)^(trials - k) are integers (each follows from the one above it by an
    exact division); their sums from k = trials down are kept over the one denominator b^trials."""

    def __init__(self, trials: int, q: Fraction):
        a, b = q.numerator, q.denominator
        term, above, self.numerators = a**trials, 0, [0] * (trials + 1)  # term: k = trials
        for k in range(trials, 0, -1):
            above += term  # b^trials P(X >= k) = b^trials P(X > k - 1)
            self.numerators[k - 1] = above
            term = term * k * (b - a) // ((trials - k + 1) * a)
        self.denominator = b**trials

    def at_most(self, limit: int, p: Fraction) -> bool:
        """Whether P(X > limit) <= p."""
        return self.numerators[limit] * p.denominator <= p.numerator * self.denominator

    def at_least(self, limit: int, p: Fraction) -> bool:
        """Whether P(X > limit) >= p."""
        return self.numerators[limit] * p.denominator >= p.numerator * self.denominator

    def value(self, limit: int) -> float:
        return float(Fraction(self.numerators[limit], self.denominator))


@pytest.mark.parametrize("alpha", ALPHAS)
def test_the_plan_has_its_size_and_power_in_exact_arithmetic(alpha):
    plan = _coverage.plan(alpha)
    size = Tails(plan.trials, Fraction(str(alpha)))
    power = Tails(plan.trials, Fraction(str(alpha)) * FACTOR)
    assert size.at_most(plan.limit, SIZE), size.value(plan.limit)
    assert power.at_least(plan.limit, POWER), power.value(plan.limit)
    # scipy's tails, which the plan was found with, agree with the exact ones
    assert plan.failure_probability(alpha) == pytest.approx(size.value(plan.limit), rel=1e-9)
    assert plan.failure_probability(_coverage.FACTOR * alpha) == pytest.approx(power.value(plan.limit), rel=1e-9)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_one_trial_fewer_leaves_no_limit_with_both_size_and_power(alpha):
    trials = _coverage.plan(alpha).trials - 1
    size = Tails(trials, Fraction(str(alpha)))
    smallest = next(limit for limit in range(trials + 1) if size.at_most(limit, SIZE))
    # a larger limit only lowers the power: the smallest limit of the right size is the best there is
    power = Tails(trials, Fraction(str(alpha)) * FACTOR)
    assert not power.at_least(smallest, POWER), (trials, smallest, power.value(smallest))


def test_check_fails_exactly_above_the_limit_and_counts_miss_flags():
    plan = _coverage.plan(0.2)
    plan.check(plan.limit)
    with pytest.raises(AssertionError, match=f"the bound missed {plan.limit + 1} times in {plan.trials} trials"):
        plan.check(plan.limit + 1)
    flags = np.zeros(plan.trials, dtype=bool)
    flags[: plan.limit + 1] = True
    with pytest.raises(AssertionError, match=f"hoeffding missed {plan.limit + 1} times"):
        plan.check(flags, "hoeffding")
    with pytest.raises(AssertionError, match="one miss flag per trial"):
        plan.check(flags[:-1])


@pytest.mark.parametrize("alpha", [0.0, -0.1, 0.7, 1.0])
def test_a_level_the_power_cannot_be_defined_at_is_refused(alpha):
    with pytest.raises(ValueError, match="alpha must lie in"):
        _coverage.plan(alpha)
