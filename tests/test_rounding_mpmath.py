"""Rounding toward safety (issue 13): no returned radius or lower bound exceeds the exact value, no upper bound
falls below it, checked against 50-digit mpmath on 10,000 random and boundary cases per function.

Each function is called once on all its cases (vectorised); only the exact side loops in mpmath. Where the
exact value would need a root-find (Clopper-Pearson is a beta quantile) the sign of the defining equation is
checked at the returned value instead: for the lower bound L of k successes in n, P(Bin(n, L) >= k) <= alpha
proves L <= the exact bound, with no root-find.
"""

import mpmath as mp
import numpy as np
import pytest
from scipy.stats import norm

from rslib import bounds, certificates

mp.mp.dps = 50
CASES = 10_000
ULP = 2.0**-53


def _mp_ppf(p: float):
    """Phi^-1(p) to ~30 digits: one Newton step (quadratic) from scipy's value; p > 1/2 via 1 - p (exact)."""
    if p > 0.5:
        return -_mp_ppf(1.0 - p)
    x = mp.mpf(float(norm.ppf(p)))
    return x - (mp.ncdf(x) - mp.mpf(p)) / mp.npdf(x)


def _probability_pairs(rng, size):
    """(p_a, p_b) with p_a + p_b <= 1: random, then the boundaries (p near 1/2, near 1, tiny p_b, ties)."""
    p_a = rng.uniform(0.0, 1.0, size)
    p_b = rng.uniform(0.0, 1.0, size) * np.minimum(p_a, 1.0 - p_a)
    edge = size // 2
    near_one = 1.0 - rng.integers(1, 64, edge) * ULP
    tiny = 10.0 ** -rng.uniform(1, 323, edge)
    near_half = 0.5 + rng.uniform(-1e-6, 1e-6, edge) * 10.0 ** -rng.integers(0, 9, edge)
    ties = rng.uniform(1e-6, 0.5, edge)
    kinds = [
        (near_one, tiny),
        (near_half, np.minimum(1 - near_half, near_half) * rng.uniform(0.9, 1.0, edge)),
        (ties, ties * (1.0 - 10.0 ** -rng.uniform(1, 15, edge))),
        (near_one, 1.0 - near_one),
    ]
    which = rng.integers(0, len(kinds), edge)
    p_a[:edge] = np.choose(which, [a for a, _ in kinds])
    p_b[:edge] = np.minimum(np.choose(which, [b for _, b in kinds]), 1.0 - p_a[:edge])
    return p_a, p_b


def _no_value_above(returned, exact_of, inputs):
    """The indices where returned > exact (exact computed in mpmath from the inputs' row)."""
    bad = []
    for i, value in enumerate(returned):
        if value > 0 and mp.mpf(float(value)) > exact_of(*(column[i] for column in inputs)):
            bad.append((i, [column[i] for column in inputs], float(value)))
    return bad


def test_gaussian_l2_with_p_b_never_exceeds_the_exact_radius():
    p_a, p_b = _probability_pairs(np.random.default_rng(1), CASES)
    returned = certificates.gaussian_l2(p_a, p_b, sigma=1.0)
    bad = _no_value_above(returned, lambda a, b: (_mp_ppf(a) - _mp_ppf(b)) / 2, (p_a, p_b))
    assert not bad, bad[:5]


def test_gaussian_l2_binary_never_exceeds_the_exact_radius():
    rng = np.random.default_rng(2)
    p_a = np.concatenate(
        [
            rng.uniform(0.5, 1.0, CASES // 2),
            1.0 - rng.integers(1, 2**20, CASES // 4) * ULP,
            0.5 + rng.integers(1, 2**20, CASES // 4) * ULP,
        ]
    )
    returned = certificates.gaussian_l2(p_a, sigma=0.25)
    # sigma Phi^-1(p_a) >= R  iff  Phi(R / sigma) <= p_a: a sign check, one ncdf per case
    bad = [(a, r) for a, r in zip(p_a, returned) if r > 0 and mp.ncdf(mp.mpf(float(r)) / mp.mpf(0.25)) > mp.mpf(a)]
    assert not bad, bad[:5]


def test_gaussian_l2_margin_never_exceeds_the_exact_radius():
    rng = np.random.default_rng(3)
    margin = np.concatenate(
        [
            rng.uniform(0.0, 1.0, CASES // 2),
            10.0 ** -rng.uniform(0, 300, CASES // 4),
            1.0 - rng.integers(1, 2**20, CASES // 4) * ULP,
        ]
    )
    returned = certificates.gaussian_l2_margin(margin, sigma=1.0)
    # Phi^-1((1 + m) / 2) >= R  iff  2 Phi(R) - 1 = erf(R / sqrt 2) <= m
    bad = [(m, r) for m, r in zip(margin, returned) if r > 0 and mp.erf(mp.mpf(float(r)) / mp.sqrt(2)) > mp.mpf(m)]
    assert not bad, bad[:5]


@pytest.mark.parametrize("name", ["laplace_l1", "laplace_l1_binary", "lecuyer_l1", "renyi_l1"])
def test_laplace_radii_never_exceed_the_exact_radius(name):
    p_a, p_b = _probability_pairs(np.random.default_rng(4), CASES)
    exact = {
        "laplace_l1": lambda a, b: max(
            mp.log(mp.mpf(a) / mp.mpf(b)) / 2 if b > 0 else mp.inf, -mp.log(1 - mp.mpf(a) + mp.mpf(b))
        ),
        "laplace_l1_binary": lambda a, b: -mp.log(2 * (1 - mp.mpf(a))),
        "lecuyer_l1": lambda a, b: mp.log(mp.mpf(a) / mp.mpf(b)) / 2 if b > 0 else mp.inf,
        "renyi_l1": lambda a, b: -mp.log(1 - mp.mpf(a) + mp.mpf(b)),
    }[name]
    if name == "laplace_l1_binary":
        p_a = np.where(p_a < 0.5, 1.0 - p_a, p_a)
        returned = certificates.laplace_l1(p_a, scale=1.0)
    else:
        returned = (
            certificates.renyi_l1(p_a, p_b, scale=1.0)
            if name == "renyi_l1"
            else getattr(certificates, name)(p_a, p_b, scale=1.0)
        )
    finite = np.isfinite(returned)
    assert finite[p_a < 1].all()
    bad = _no_value_above(np.where(finite, returned, 0.0), exact, (p_a, p_b))
    assert not bad, bad[:5]


def test_soft_margin_l2_never_exceeds_the_exact_radius():
    margin = np.random.default_rng(5).uniform(0.0, 1.0, CASES)
    returned = certificates.soft_margin_l2(margin, sigma=0.5)
    bad = _no_value_above(returned, lambda m: mp.mpf(m) * mp.mpf(0.5) * mp.sqrt(mp.pi / 8), (margin,))
    assert not bad, bad[:5]


def _counts(rng, size):
    """(k, n): half random with n < 3000, half at the boundaries k = 0, 1, n - 1, n with n up to 10^15 (bounds.MAX_N)."""
    half = size // 2
    n = np.concatenate([rng.integers(1, 3_000, half), (10.0 ** rng.uniform(0, 15, half)).astype(np.int64) + 1])
    k = (rng.uniform(0, 1, size) * (n + 1)).astype(np.int64).clip(0, n)
    edge = np.choose(rng.integers(0, 4, half), [0 * n[half:], 1 + 0 * n[half:], n[half:] - 1, n[half:]])
    k[half:] = edge.clip(0, n[half:])
    return k, n


def _upper_tail(k: int, n: int, p):
    """P(Bin(n, p) >= k) for k at or above the mean (where the Clopper-Pearson tails sit), summed from k up
    with the terms' ratio until they no longer count at 50 digits (a few sqrt(n) terms: mpmath's betainc
    fails to converge for parameters in the thousands)."""
    term = mp.binomial(n, k) * p**k * (1 - p) ** (n - k)
    total, ratio, j = term, p / (1 - p), k
    while j < n and term > total * mp.mpf(10) ** -55:
        term *= ratio * (n - j) / (j + 1)
        total += term
        j += 1
    return total


def _binomial_tail(k: int, n: int, p, side: str):
    """P(Bin(n, p) >= k) (side "lower") or P(Bin(n, p) <= k) (side "upper") in mpmath: closed forms at
    k in {0, 1, n - 1, n}, where n may be huge; the regularised incomplete beta function otherwise (n < 10^4,
    where mpmath's series converge quickly)."""
    if side == "lower":
        if k == n:
            return p**n
        if k == 1:
            return 1 - (1 - p) ** n
        return _upper_tail(k, n, p)
    if k == 0:
        return (1 - p) ** n
    if k == n - 1:
        return 1 - p**n
    return _upper_tail(n - k, n, 1 - p)  # P(X <= k) = P(n - X >= n - k), n - X ~ Bin(n, 1 - p)


@pytest.mark.parametrize("side", ["lower", "upper"])
def test_clopper_pearson_is_on_the_safe_side_of_its_defining_equation(side):
    rng = np.random.default_rng(6 if side == "lower" else 7)
    k, n = _counts(rng, CASES)
    alpha = 0.001
    bound = bounds.clopper_pearson(k, n, alpha, side=side)
    bad = []
    for kk, nn, value in zip(k.tolist(), n.tolist(), bound.tolist()):
        if side == "lower":
            if kk == 0:
                continue  # the bound is 0, exact
            # P(Bin(n, L) >= k) = I_L(k, n - k + 1) <= alpha: L is at or below the exact quantile
            tail = _binomial_tail(kk, nn, mp.mpf(value), side)
        else:
            if kk == nn:
                continue  # the bound is 1, exact
            # P(Bin(n, U) <= k) = 1 - I_U(k + 1, n - k) <= alpha: U is at or above the exact quantile
            tail = _binomial_tail(kk, nn, mp.mpf(value), side)
        if tail > alpha:
            bad.append((kk, nn, value, float(tail)))
    assert not bad, bad[:5]
    if side == "lower":
        assert (bound < 1.0).all()  # a lower bound is never exactly 1 while alpha > 0


@pytest.mark.parametrize("side", ["lower", "upper"])
def test_hoeffding_is_on_the_safe_side(side):
    rng = np.random.default_rng(8)
    mean, n = rng.uniform(0, 1, CASES), rng.integers(1, 10**9, CASES)
    returned = np.array([bounds.hoeffding(m, int(k), 0.01, side=side) for m, k in zip(mean, n)])
    for m, k, value in zip(mean, n, returned):
        exact = mp.mpf(m) + (-1 if side == "lower" else 1) * mp.sqrt(mp.log(100) / (2 * int(k)))
        exact = min(max(exact, 0), 1)
        assert (mp.mpf(value) <= exact) if side == "lower" else (mp.mpf(value) >= exact), (m, k, value)
