"""Sequential tests of a binomial proportion by Beta-mixture likelihood ratios (e-processes), checked at planned
looks: the statistics behind `rslib.smoothing.certify_at_radius`.

After n votes with k successes, the mixture likelihood ratio against the point p0, with the prior Beta(a, b)
truncated to the alternative (p >= p0 for "greater", p <= p0 for "less"), is

    E_n = B(k + a, n - k + b) T(p0; k + a, n - k + b) / ( B(a, b) T(p0; a, b) ) / ( p0^k (1 - p0)^(n - k) ),

with T the Beta law's mass on the alternative side of p0 (its survival function for "greater", its CDF
for "less"). For every q on the alternative side and every p on the null side, E_p[q^X (1 - q)^(1 - X) /
(p0^X (1 - p0)^(1 - X))] <= 1, so E_n is a nonnegative supermartingale with E_0 = 1 under every null p,
and Ville's inequality gives P(exists n: E_n >= 1 / alpha) <= alpha, whatever the looks or the stopping
rule. E_n increases in k for "greater" (decreases for "less"), so at each look the test is a count
threshold (`sequential_plan`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln
from scipy.stats import beta as beta_law

from rslib import _checks
from rslib.bounds._binomial import clopper_pearson

__all__ = [
    "beta_mixture_log_e",
    "SequentialPlan",
    "SequentialOutcome",
    "sequential_plan",
    "look_schedule",
    "fixed_n_count",
]

_UNDERFLOW = -600.0  # below this log-mass on the alternative, the prior is replaced by the flat one
_LOG_MARGIN = 1e-6  # nats added to log(1/alpha): far above the floating-point error of log E_n (~1e-9)


def beta_mixture_log_e(
    k: ArrayLike, n: ArrayLike, p0: float, *, prior: tuple[float, float] = (1.0, 1.0), alternative: str = "greater"
) -> np.ndarray:
    r"""log E_n of the Beta-mixture likelihood ratio against "p <= p0" (alternative "greater") or "p >= p0"
    ("less"), after k successes in n trials; vectorised over k and n.

    .. math:: E_n = \frac{B(k + a, n - k + b)\, T(p_0; k + a, n - k + b)}{B(a, b)\, T(p_0; a, b)\,
              p_0^k (1 - p_0)^{n - k}}

    where T is the mass of the Beta law on the alternative side of p0. Two guards keep the value an
    e-value in floating point: a prior whose mass on the alternative side underflows (log T(p0; a, b) <
    -600, e.g. a prior centred far from p0) is replaced by the flat prior Beta(1, 1), a choice that
    depends on (a, b, p0) only and so keeps the supermartingale property; a NaN or +inf result (a failed
    evaluation) is returned as -inf, "no evidence", which can only delay a rejection.

    Parameters
    ----------
    k, n : int or array_like of int
        Successes and trials, 0 <= k <= n.
    p0 : float
        The null's boundary, in (0, 1).
    prior : (float, float), default (1, 1)
        Beta parameters (a, b) > 0 of the mixing prior before truncation; it may depend on data independent
        of the votes tested (for instance the selection sample's counts), never on these votes.
    alternative : {"greater", "less"}

    Returns
    -------
    numpy.ndarray
        log E_n, in nats (-inf where the guards apply).

    References
    ----------
    H. Robbins. Statistical methods related to the law of the iterated logarithm. Annals of Mathematical
    Statistics 41(5), 1970. J. Ville. Etude critique de la notion de collectif. Gauthier-Villars, 1939.
    """
    p0 = float(_checks.float_array("p0", p0))
    if not 0 < p0 < 1:
        raise ValueError(f"p0 must lie in the open interval (0, 1), got {p0!r}")
    a, b = (float(v) for v in _checks.float_array("prior", prior))
    if not (a > 0 and b > 0 and np.isfinite(a) and np.isfinite(b)):
        raise ValueError(f"prior must be two finite Beta parameters > 0, got {prior!r}")
    if alternative not in ("greater", "less"):
        raise ValueError(f"alternative must be 'greater' or 'less', got {alternative!r}")
    k_arr, n_arr = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    if ((k_arr < 0) | (k_arr > n_arr)).any():
        raise ValueError(f"k must lie in [0, n], got k={k!r}, n={n!r}")
    mass = beta_law.logsf if alternative == "greater" else beta_law.logcdf
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        prior_mass = betaln(a, b) + mass(p0, a, b)
        if not np.isfinite(prior_mass) or mass(p0, a, b) < _UNDERFLOW:
            a, b = 1.0, 1.0
            prior_mass = betaln(a, b) + mass(p0, a, b)
        posterior = betaln(k_arr + a, n_arr - k_arr + b) + mass(p0, k_arr + a, n_arr - k_arr + b)
        null = k_arr * np.log(p0) + (n_arr - k_arr) * np.log1p(-p0)
        log_e = posterior - prior_mass - null
    return np.where(np.isnan(log_e) | (log_e == np.inf), -np.inf, log_e)


def look_schedule(n_max: int, *, first: int = 16, ratio: float = 1.5, every: int = 1000) -> np.ndarray:
    """Sample sizes at which a sequential test looks: `first`, then growing by `ratio` (rounded up) while
    below `every`, then every `every` votes, and n_max last; all <= n_max.

    Looks cost an e-process no error probability (Ville's inequality holds at every stopping time), only the
    compute of checking; small early looks let a confident input stop after a few dozen votes, the regular
    ones match the batches of a model.

    Parameters
    ----------
    n_max : int
        The last look, >= 1.
    first : int, default 16
        The first look (keyword-only, as below).
    ratio : float, default 1.5
        Growth of the early looks, > 1.
    every : int, default 1000
        Spacing of the later looks.

    Returns
    -------
    numpy.ndarray of int
        Increasing sample sizes ending at n_max.

    Raises
    ------
    ValueError
        If an argument is out of its range.

    References
    ----------
    J. Ville. Etude critique de la notion de collectif. Gauthier-Villars, 1939.
    """
    n_max = _checks.count("n_max", n_max)
    first, every = _checks.count("first", first), _checks.count("every", every)
    ratio = float(_checks.float_array("ratio", ratio))
    if not ratio > 1:
        raise ValueError(f"ratio must be a number > 1, got {ratio!r}")
    looks, n = [], first
    while n < min(every, n_max):
        looks.append(n)
        n = max(n + 1, int(np.ceil(n * ratio)))
    n = (looks[-1] // every + 1) * every if looks else every
    while n < n_max:
        looks.append(n)
        n += every
    looks.append(n_max)
    return np.array(sorted(set(looks)), dtype=np.int64)


def _least_count(passes: Callable[[np.ndarray, np.ndarray], np.ndarray], looks: np.ndarray) -> np.ndarray:
    """Per look n, the least k in [0, n] with passes(n, k) (monotone: False then True in k); n + 1 if none."""
    lo, hi = np.zeros_like(looks), looks + 1
    while (lo < hi).any():
        mid = (lo + hi) // 2
        ok = (lo < hi) & (mid <= looks) & passes(looks, np.minimum(mid, looks))
        hi = np.where((lo < hi) & ok, mid, hi)
        lo = np.where((lo < hi) & ~ok, mid + 1, lo)
    return lo


def _greatest_count(passes: Callable[[np.ndarray, np.ndarray], np.ndarray], looks: np.ndarray) -> np.ndarray:
    """Per look n, the greatest k in [0, n] with passes(n, k) (monotone: True then False in k); -1 if none."""
    lo, hi = np.full_like(looks, -1), looks.copy()
    while (lo < hi).any():
        mid = (lo + hi + 1) // 2
        ok = (lo < hi) & passes(looks, np.maximum(mid, 0))
        lo = np.where((lo < hi) & ok, mid, lo)
        hi = np.where((lo < hi) & ~ok, mid - 1, hi)
    return lo


def fixed_n_count(p0: float, n: int, alpha: float) -> int:
    """The least count k whose Clopper-Pearson lower bound (level alpha, n trials) is >= p0.

    Parameters
    ----------
    p0 : float
        The threshold, in (0, 1).
    n : int
        Trials.
    alpha : float
        Error level, in (0, 1).

    Returns
    -------
    int
        k in [0, n], or n + 1 when no count of n trials reaches p0.

    References
    ----------
    C. J. Clopper, E. S. Pearson. The use of confidence or fiducial limits illustrated in the case of the
    binomial. Biometrika 26(4), 1934.
    """
    if clopper_pearson(n, n, alpha) < p0:
        return n + 1
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if clopper_pearson(mid, n, alpha) >= p0 else (mid + 1, hi)
    return lo


@dataclass(frozen=True)
class SequentialOutcome:
    """The result of `SequentialPlan.run`.

    Attributes
    ----------
    rejected : bool
        Whether the null "p <= p0" was rejected.
    votes : int
        Votes drawn.
    decided_early : bool
        False when the run reached n_max without rejecting.
    """

    rejected: bool
    votes: int
    decided_early: bool


@dataclass(frozen=True)
class SequentialPlan:
    """Count thresholds of a group-sequential test of "p <= p0" (`sequential_plan`).

    Attributes
    ----------
    p0 : float
    looks : numpy.ndarray of int
        Sample sizes at which the count is checked, the last one n_max.
    reject : numpy.ndarray of int
        Reject "p <= p0" at look j when the count is >= reject[j] (n + 1: impossible there).
    stop : numpy.ndarray of int
        Stop without rejecting at look j when the count is <= stop[j] (-1: never); always < reject[j].
    """

    p0: float
    looks: np.ndarray
    reject: np.ndarray
    stop: np.ndarray

    @property
    def can_reject(self) -> bool:
        """Whether some count at some look rejects: False means the test cannot succeed, whatever the votes."""
        return bool((self.reject <= self.looks).any())

    def run(self, draw: Callable[[int], int]) -> SequentialOutcome:
        """Run the test, drawing votes look by look until a threshold decides.

        Parameters
        ----------
        draw : callable
            draw(m) draws m new votes and returns how many are successes.

        Returns
        -------
        SequentialOutcome
        """
        if not self.can_reject:
            return SequentialOutcome(False, 0, True)
        n = k = 0
        last = int(self.looks[-1])
        for look, reject, stop in zip(self.looks.tolist(), self.reject.tolist(), self.stop.tolist()):
            k += int(draw(look - n))
            n = look
            if k >= reject:
                return SequentialOutcome(True, n, n < last)
            if k <= stop:
                return SequentialOutcome(False, n, n < last)
        return SequentialOutcome(False, n, False)


def sequential_plan(
    p0: float,
    *,
    alpha: float,
    n_max: int,
    prior: tuple[float, float] = (1.0, 1.0),
    final_share: float = 0.5,
    gamma: float = 0.01,
    futility: str = "fixed-n",
    looks: ArrayLike | None = None,
) -> SequentialPlan:
    r"""The count thresholds of a sequential test of "p <= p0" at level alpha, capped at n_max votes.

    Rejection ("p > p0"): the Beta-mixture e-process (`beta_mixture_log_e`, prior truncated to [p0, 1])
    reaches 1 / alpha_seq, alpha_seq = (1 - final_share) alpha, at a look; or, at the last look n_max, the
    Clopper-Pearson lower bound at level final_share alpha exceeds p0. Ville's inequality and the union
    bound give P(reject | p <= p0) <= alpha at whatever look the run stops.

    Stopping without rejection costs no error probability, so it is tuned for cost and for agreement
    with the fixed-n procedure: the futility e-process (prior truncated to [0, p_f]) reaching 1 / gamma
    stops the run, with p_f the count fraction k_min / n_max from which Clopper-Pearson at level alpha on
    n_max votes rejects (futility "fixed-n": aimed at the fixed-n decision) or p_f = p0 ("threshold");
    and the run stops as soon as no later threshold can be reached even if every remaining vote is a
    success (curtailment). With the default looks, the mean number of votes is within a small factor
    of Wald's bound log(1/alpha) / KL(p, p0) (`rslib.theory.sample_size.wald_samples`).

    Parameters
    ----------
    p0 : float
        In (0, 1).
    alpha : float
        Error level, in (0, 1) (keyword-only, as every parameter below).
    n_max : int
        The cap, >= 1.
    prior : (float, float), default (1, 1)
        The mixture's Beta prior, for instance Beta(k0 + 1/2, n0 - k0 + 1/2) from a selection sample.
    final_share : float, default 0.5
        The share of alpha spent by the Clopper-Pearson check at n_max, in [0, 1).
    gamma : float, default 0.01
        Level of the futility test, in (0, 1).
    futility : {"fixed-n", "threshold"}, default "fixed-n"
        What the futility test aims at: the fixed-n decision, or p0.
    looks : array_like of int, optional
        Increasing sample sizes ending at n_max (default `look_schedule(n_max)`).

    Returns
    -------
    SequentialPlan

    References
    ----------
    A. Wald. Sequential tests of statistical hypotheses. Annals of Mathematical Statistics 16(2), 1945.
    T. L. Lai. Nearly optimal sequential tests of composite hypotheses. Annals of Statistics 16(2), 1988.
    """
    p0 = float(_checks.float_array("p0", p0))
    if not 0 < p0 < 1:
        raise ValueError(f"p0 must lie in the open interval (0, 1), got {p0!r}")
    alpha, gamma = _checks.level("alpha", alpha), _checks.level("gamma", gamma)
    n_max = _checks.count("n_max", n_max)
    final_share = float(_checks.float_array("final_share", final_share))
    if not 0 <= final_share < 1:
        raise ValueError(f"final_share must lie in [0, 1), got {final_share!r}")
    _checks.one_of("futility", futility, ("fixed-n", "threshold"))
    looks = look_schedule(n_max) if looks is None else np.asarray(looks, dtype=np.int64)
    if looks.ndim != 1 or looks.size == 0 or (np.diff(looks) <= 0).any() or looks[0] < 1 or looks[-1] != n_max:
        raise ValueError(f"looks must be increasing sample sizes >= 1 ending at n_max={n_max}, got {looks!r}")
    target = np.log(1.0 / ((1.0 - final_share) * alpha)) + _LOG_MARGIN
    reject = _least_count(lambda n, k: beta_mixture_log_e(k, n, p0, prior=prior) >= target, looks)
    if final_share > 0:
        reject[-1] = min(reject[-1], fixed_n_count(p0, n_max, final_share * alpha))
    fixed = fixed_n_count(p0, n_max, alpha)
    p_f = p0 if futility == "threshold" else min(fixed / n_max, np.nextafter(1.0, 0.0))
    if fixed > n_max:  # fixed n never rejects: any count may stop (curtailment below decides)
        stop = np.full_like(looks, -1)
    else:
        futile = np.log(1.0 / gamma) + _LOG_MARGIN
        stop = _greatest_count(
            lambda n, k: beta_mixture_log_e(k, n, p_f, prior=prior, alternative="less") >= futile, looks
        )
    # curtailment: at look j, the least count from which some later threshold is still reachable
    reachable = np.minimum.accumulate((reject - looks)[::-1])[::-1] + looks
    stop = np.minimum(np.maximum(stop, reachable - 1), reject - 1)
    return SequentialPlan(p0, looks, reject, stop)
