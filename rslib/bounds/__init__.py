"""Confidence bounds on class probabilities and means, and confidence sequences (numpy and scipy only).

Fixed-sample bounds, each holding with probability >= 1 - alpha:

- `clopper_pearson`, `simultaneous_clopper_pearson`: exact binomial bounds (Cohen et al.; Jia et al.'s
  SimuEM for every class at once);
- `hoeffding`, `empirical_bernstein`: closed forms for the mean of [0, 1]-valued observations;
- `margin_lower`: an exact bound on the margin p_1 - p_2 from trinomial counts;
- `randomized_clopper_pearson`: exact coverage 1 - alpha from a recorded uniform draw (Voracek 2024).

Confidence sequences, valid at every sample size at once (one may stop whenever one likes):
`prpl_eb_sequence`, `betting_lower`, `betting_rejects` (Waudby-Smith & Ramdas 2024). Sequential tests
of a proportion at planned looks: `beta_mixture_log_e`, `sequential_plan` (behind
`rslib.smoothing.certify_at_radius`).

Every returned bound is rounded toward safety: a lower bound never lies above the exact one, an upper
bound never below. Scalars in, numpy scalars out.
"""

from rslib.bounds._binomial import (
    MAX_N,
    ClassBounds,
    clopper_pearson,
    simultaneous_clopper_pearson,
    unanimous_samples_for_radius,
)
from rslib.bounds._margin import MarginBoundCost, margin_lower, margin_lower_cost
from rslib.bounds._mean import empirical_bernstein, hoeffding
from rslib.bounds._mixture import (
    SequentialOutcome,
    SequentialPlan,
    beta_mixture_log_e,
    fixed_n_count,
    look_schedule,
    sequential_plan,
)
from rslib.bounds._randomized import RandomizedBound, randomized_clopper_pearson
from rslib.bounds._sequences import (
    betting_log_capital,
    betting_lower,
    betting_rejects,
    plug_in_bets,
    prpl_eb_lower,
    prpl_eb_sequence,
)

__all__ = [
    "clopper_pearson",
    "simultaneous_clopper_pearson",
    "ClassBounds",
    "MAX_N",
    "unanimous_samples_for_radius",
    "randomized_clopper_pearson",
    "RandomizedBound",
    "fixed_n_count",
    "hoeffding",
    "empirical_bernstein",
    "margin_lower",
    "margin_lower_cost",
    "MarginBoundCost",
    "plug_in_bets",
    "prpl_eb_sequence",
    "prpl_eb_lower",
    "betting_log_capital",
    "betting_lower",
    "betting_rejects",
    "beta_mixture_log_e",
    "look_schedule",
    "sequential_plan",
    "SequentialPlan",
    "SequentialOutcome",
]
