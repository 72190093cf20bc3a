"""Confidence sequences for the mean of [0, 1]-valued observations (Waudby-Smith & Ramdas, JRSS-B 2024).

A (1 - alpha) lower confidence sequence (L_t) holds at every time at once: P(exists t: mu < L_t) <= alpha,
so one may look after every observation and stop whenever one likes. Both sequences here come from
nonnegative supermartingales ("wealth") and Ville's inequality.

- `prpl_eb_sequence` (and `prpl_eb_lower`, its value after all of x): the predictable plug-in
  empirical-Bernstein sequence (closed form, Theorem 2 there).
- `betting_lower`: the betting sequence, wealth W_t(m) = prod_i (1 + kappa_i(m) (xi_i - m)); the lower
  bound is the root of W_t(m) = 1 / alpha in m, found by bracketing (no grid, so no resolution cap).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from rslib import _checks

__all__ = [
    "plug_in_bets",
    "prpl_eb_sequence",
    "prpl_eb_lower",
    "betting_log_capital",
    "betting_lower",
    "betting_rejects",
]


def _observations(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 1:
        raise ValueError(f"x must be a non-empty 1-D array of observations, got shape {x.shape}")
    if np.isnan(x).any() or (x < 0).any() or (x > 1).any():
        raise ValueError("x must lie in [0, 1] (rescale bounded observations first)")
    return x


def plug_in_bets(x: ArrayLike, alpha: float, n: int | None = None, truncation: float = 0.5) -> np.ndarray:
    r"""Predictable plug-in bets from the regularised running mean and variance of the observations before each.

    .. math::

        \kappa_i = \min\left(\sqrt{\frac{2\log(1/\alpha)}{\hat\sigma^2_{i-1}\, i\log(1 + i)}},\; \kappa_{\max}\right),
        \qquad \hat\mu_i = \frac{1/2 + \sum_{j \le i} \xi_j}{i + 1},
        \qquad \hat\sigma^2_i = \frac{1/4 + \sum_{j \le i} (\xi_j - \hat\mu_j)^2}{i + 1},

    with :math:`\hat\sigma^2_0 = 1/4` and :math:`\kappa_{\max}` = `truncation`; for a planned sample size n,
    :math:`i\log(1 + i)` becomes n. Each bet depends on :math:`\xi_1, \dots, \xi_{i-1}` only, whatever n is, so
    every n gives a valid sequence; it is tightest when read at t = n.

    Parameters
    ----------
    x : array_like, shape (t,)
        Observations in [0, 1].
    alpha : float
        The error level the bets are tuned for, in (0, 1).
    n : int, optional
        The planned sample size (>= 1, usually len(x)); None tunes the bets for every t at once.
    truncation : float, default 0.5
        The cap :math:`\kappa_{\max}`. PrPl-EB needs it below 1 (its :math:`\psi_E(\kappa)` is infinite at 1);
        the betting capital is truncated by itself (`betting_log_capital`) and takes 1.

    Returns
    -------
    numpy.ndarray, shape (t,)
        The bets :math:`\kappa_1, \dots, \kappa_t`.

    Raises
    ------
    ValueError
        If x is not a non-empty 1-D array of values in [0, 1], alpha is not in (0, 1), truncation is not
        > 0, or n < 1.

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    x = _observations(x)
    alpha = _checks.level("alpha", alpha)
    if not truncation > 0:  # inf leaves the bets uncapped
        raise ValueError(f"truncation must be > 0, got {truncation!r}")
    t = np.arange(1, x.size + 1)
    mu = (0.5 + np.cumsum(x)) / (t + 1)
    sigma2 = (0.25 + np.cumsum((x - mu) ** 2)) / (t + 1)
    sigma2_before = np.concatenate([[0.25], sigma2[:-1]])
    scale = t * np.log1p(t) if n is None else float(_checks.count("n", n))
    return np.minimum(np.sqrt(2.0 * np.log(1.0 / alpha) / (sigma2_before * scale)), truncation)


def prpl_eb_sequence(x: ArrayLike, alpha: float, n: int | None = None) -> np.ndarray:
    r"""Lower (1 - alpha) confidence sequence L_1..L_t for the mean (PrPl-EB; Waudby-Smith & Ramdas 2024,
    Theorem 2, one-sided):

    .. math:: L_t = \frac{\sum_i \kappa_i \xi_i}{\sum_i \kappa_i} - \frac{\log(1/\alpha) + \sum_i v_i\,\psi_E(\kappa_i)}{\sum_i \kappa_i},
              \qquad v_i = (\xi_i - \hat\mu_{i-1})^2,\quad \psi_E(\kappa) = -\log(1 - \kappa) - \kappa.

    P(exists t: mu < L_t) <= alpha: the bound may be read after every observation. The running maximum
    of the sequence is valid too.

    Parameters
    ----------
    x : array_like, shape (t,)
        Observations in [0, 1].
    alpha : float
        Error level, in (0, 1).
    n : int, optional
        Tune the bets for this sample size (see `plug_in_bets`): a confidence interval at n, still valid
        at every t.

    Returns
    -------
    numpy.ndarray, shape (t,)
        L_1, ..., L_t, each rounded down and clipped to [0, 1].

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    alpha = _checks.level("alpha", alpha)
    x = _observations(x)
    lam = plug_in_bets(x, alpha, n)
    t = np.arange(1, x.size + 1)
    mean_before = np.concatenate([[0.5], ((0.5 + np.cumsum(x)) / (t + 1))[:-1]])
    v = (x - mean_before) ** 2
    psi = -np.log1p(-lam) - lam
    weights = np.cumsum(lam)
    gain, cost = np.cumsum(lam * x), np.log(1.0 / alpha) + np.cumsum(v * psi)
    # running sums of t terms: an error of up to about t ulps of the terms' size (a bound, not an estimate)
    error = (8 + t) * _checks.EPS * (gain + cost) / weights
    return np.clip(_checks.round_down((gain - cost) / weights, error), 0.0, 1.0)


def prpl_eb_lower(x: ArrayLike, alpha: float, n: int | None = None) -> np.float64:
    """The PrPl-EB lower bound on the mean after all of x: the last value of `prpl_eb_sequence`.

    Parameters
    ----------
    x : array_like, shape (t,)
        Observations in [0, 1].
    alpha : float
        Error level, in (0, 1).
    n : int, optional
        Tune the bets for this sample size (see `plug_in_bets`); len(x) gives the tightest bound at the end.

    Returns
    -------
    numpy.float64
        :math:`L_t`, rounded down and clipped to [0, 1].

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    return np.float64(prpl_eb_sequence(x, alpha, n)[-1])


def betting_log_capital(x: np.ndarray, m: float, bets: np.ndarray) -> float:
    r"""The log-capital after all of x of a bettor against "the mean is m":

    .. math:: \log W_t(m) = \sum_{i \le t} \log\bigl(1 + \kappa_i(m)\,(\xi_i - m)\bigr),
              \qquad \kappa_i(m) = \min\bigl(\kappa_i, 3/(4m)\bigr).

    The truncation at 3/(4m) keeps every factor at least 1/4, since :math:`\xi_i - m \ge -m`. Decreasing in m.
    Under the mean m, :math:`W_t(m)` is a nonnegative martingale, so by Ville's inequality it ever reaches
    1/alpha with probability at most alpha.

    Parameters
    ----------
    x : numpy.ndarray, shape (t,)
        Observations in [0, 1].
    m : float
        The candidate mean, in [0, 1] (0 is treated as 1e-300).
    bets : numpy.ndarray, shape (t,)
        Predictable bets >= 0 (`plug_in_bets`).

    Returns
    -------
    float
        :math:`\log W_t(m)`.

    Raises
    ------
    ValueError
        If x is not a non-empty 1-D array of values in [0, 1], m is not in [0, 1], or bets are not finite
        numbers >= 0 of x's shape.

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    x = _observations(x)
    m = float(_checks.probability("m", m))
    bets = np.asarray(bets, dtype=float)
    if bets.shape != x.shape or not np.isfinite(bets).all() or (bets < 0).any():
        raise ValueError(f"bets must be finite numbers >= 0, one per observation ({x.size}), got {bets!r}")
    return _log_capital(x, m, bets)


def _log_capital(x: np.ndarray, m: float, bets: np.ndarray) -> float:
    """`betting_log_capital` on checked arguments (called many times by the root search of `betting_lower`)."""
    lam = np.minimum(bets, 0.75 / max(m, 1e-300))
    return float(np.log1p(lam * (x - m)).sum())


def betting_lower(x: ArrayLike, alpha: float, n: int | None = None) -> np.float64:
    r"""One-sided (1 - alpha) lower bound on the mean by betting, after all of x: the m with
    :math:`\log W_t(m) = \log(1/\alpha)`, where :math:`W_t(m) = \prod_i (1 + \kappa_i(m)(\xi_i - m))`.

    Every m below it has capital above 1/alpha, i.e. is rejected; by Ville's inequality the true mean is
    rejected with probability <= alpha, at this time or any other. The root is bracketed (no grid, so no
    resolution cap) and then stepped down until the capital there reaches 1/alpha, so the returned value
    lies at or below the exact root.

    Parameters
    ----------
    x : array_like, shape (t,)
        Observations in [0, 1].
    alpha : float
        Error level, in (0, 1).
    n : int, optional
        Tune the bets for this sample size (see `plug_in_bets`).

    Returns
    -------
    numpy.float64
        The lower bound, in [0, mean of x].

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    """
    alpha = _checks.level("alpha", alpha)
    x = _observations(x)
    bets = plug_in_bets(x, alpha, n, truncation=1.0)
    target = np.log(1.0 / alpha)
    if _log_capital(x, 1e-12, bets) < target:
        return np.float64(0.0)
    high = float(x.mean())
    if _log_capital(x, high, bets) >= target:
        return np.float64(high)
    root = optimize.brentq(lambda m: _log_capital(x, m, bets) - target, 1e-12, high, xtol=1e-12)
    # brentq's answer lies within xtol of the root, on either side: step down until the capital there
    # reaches the target, so that the returned m is rejected (it lies at or below the exact root)
    step = 2e-12
    while root > 1e-12 and _log_capital(x, root, bets) < target:
        root, step = max(root - step, 1e-12), 2 * step
    return np.float64(root if _log_capital(x, root, bets) >= target else 0.0)


def betting_rejects(x: ArrayLike, m0: float, alpha: float) -> np.ndarray:
    """For each t, whether the betting capital against "mean <= m0" has reached 1/alpha by time t.

    A sequential test: stop as soon as it is True. The capital (`betting_log_capital` at m0, the bets of
    `plug_in_bets` with truncation 1) is a nonnegative supermartingale under every mean <= m0, so by Ville's
    inequality the test rejects a true null with probability <= alpha, whatever the stopping rule.

    Parameters
    ----------
    x : array_like, shape (t,)
        Observations in [0, 1].
    m0 : float
        The mean under the null, in [0, 1] (at m0 = 1 the null always holds and nothing is rejected).
    alpha : float
        Error level, in (0, 1).

    Returns
    -------
    numpy.ndarray of bool, shape (t,)
        Non-decreasing: True from the first time the capital reaches 1/alpha on.

    Raises
    ------
    ValueError
        If x is not a non-empty 1-D array of values in [0, 1], m0 is outside [0, 1], or alpha outside (0, 1).

    References
    ----------
    I. Waudby-Smith, A. Ramdas. Estimating means of bounded random variables by betting. JRSS-B 86(1), 2024.
    J. Ville. Étude critique de la notion de collectif. Gauthier-Villars, Paris, 1939.
    """
    alpha = _checks.level("alpha", alpha)
    m0 = float(_checks.probability("m0", m0))
    x = _observations(x)
    bets = np.minimum(plug_in_bets(x, alpha, truncation=1.0), 0.75 / max(m0, 1e-300))
    return np.maximum.accumulate(np.cumsum(np.log1p(bets * (x - m0)))) >= np.log(1.0 / alpha)
