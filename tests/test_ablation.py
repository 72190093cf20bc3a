"""The randomized-ablation l0 radius (Jia et al. Theorem 1): brute force on exact fractions, monotonicity,
soundness on a discrete space small enough to enumerate every ablation and every attack, bad input."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from rslib import certificates


def _brute_force_eq6(p_l, p_others, d, keep, k):
    """Eq. 4 and Eq. 6 with Python Fractions, every r tried."""
    total = math.comb(d, keep)
    lower = Fraction(math.ceil(Fraction(p_l) * total), total)
    uppers = sorted(Fraction(math.floor(Fraction(p) * total), total) for p in p_others)[-k:][::-1]
    best = -1
    for r in range(d + 1):
        spent = 1 - Fraction(math.comb(d - r, keep), total)
        rhs = min((min(sum(uppers[k - t :]), 1 - lower) + spent) / t for t in range(1, k + 1))
        if lower - spent > rhs:
            best = r
    return best


@pytest.mark.parametrize("d,keep", [(6, 2), (10, 3), (20, 5), (30, 1), (12, 12), (784, 50)])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_matches_brute_force_on_exact_fractions(d, keep, k):
    rng = np.random.default_rng(d * 10 + keep + k)
    for _ in range(40 if d < 100 else 8):
        p_l = rng.uniform(0, 1)
        others = rng.dirichlet(np.ones(5)) * (1 - p_l) * rng.uniform(0.5, 1.2)
        others = np.minimum(others, 1.0)
        got = certificates.ablation_l0(p_l, [others], d=d, keep=keep, k=k)[0]
        assert got == _brute_force_eq6(p_l, others, d, keep, k)
        assert certificates.ablation_l0(p_l, [others], d=d, keep=keep, k=k, rounding=False)[0] <= got


def test_monotone_in_p_l_k_and_sample_size():
    others = [[0.1, 0.05, 0.05, 0.02]]
    p_ls = np.linspace(0.2, 0.78, 30)
    r = [certificates.ablation_l0(p, others, d=784, keep=50, k=1)[0] for p in p_ls]
    assert all(a <= b for a, b in zip(r, r[1:]))
    by_k = [certificates.ablation_l0(0.5, [[0.3, 0.1, 0.05, 0.05]], d=784, keep=50, k=k)[0] for k in (1, 2, 3, 4)]
    assert all(a <= b for a, b in zip(by_k, by_k[1:]))
    # more samples: tighter simultaneous bounds around the same frequencies give a radius at least as large
    from rslib import bounds

    freq = np.array([0.7, 0.2, 0.06, 0.04])
    previous = -1
    for n in (100, 1000, 10_000, 100_000):
        lower, upper = bounds.simultaneous_clopper_pearson(np.round(freq * n).astype(int), 0.001)
        r_n = certificates.ablation_l0(lower[0], [upper[1:]], d=784, keep=50, k=1)[0]
        assert r_n >= previous
        previous = r_n


def _smoothed_probabilities(x, table, keep, classes):
    """Exact P(f(ablate(x)) = c): enumerate every set of kept pixels; f looks the kept (position, value) pairs up."""
    counts = np.zeros(classes)
    for kept in itertools.combinations(range(len(x)), keep):
        counts[table(tuple((i, x[i]) for i in kept))] += 1
    return counts / counts.sum()


def test_sound_on_an_enumerable_space():
    d, keep, classes, values = 7, 2, 4, (0, 1, 2)
    rng = np.random.default_rng(5)
    checked = 0
    for trial in range(25):
        salt = int(rng.integers(1 << 30))
        bias = rng.uniform(0.3, 0.9)

        def table(key, salt=salt, bias=bias):  # a fixed, arbitrary classifier of ablated inputs
            h = hash((key, salt)) % 10_000 / 10_000
            return 0 if h < bias else 1 + hash((salt, key)) % (classes - 1)

        x = tuple(int(v) for v in rng.integers(0, len(values), d))
        p = _smoothed_probabilities(x, table, keep, classes)
        for k in (1, 2):
            label = int(np.argmax(p))
            r = certificates.ablation_l0(p[label], [np.delete(p, label)], d=d, keep=keep, k=k)[0]
            for radius in range(0, r + 1):
                for pixels in itertools.combinations(range(d), radius):
                    for new in itertools.product(values, repeat=radius):
                        attacked = list(x)
                        for i, v in zip(pixels, new):
                            attacked[i] = v
                        q = _smoothed_probabilities(tuple(attacked), table, keep, classes)
                        assert (np.delete(q, label) >= q[label]).sum() < k, (trial, k, r, pixels, new)
                        checked += 1
    assert checked > 1000


def test_levine_feizi_never_beats_the_rounded_bound_for_top_1():
    rng = np.random.default_rng(3)
    p_l = rng.uniform(0.3, 1, 300)
    runner = rng.uniform(0, 1, 300) * (1 - p_l)
    ours = certificates.ablation_l0(p_l, runner[:, None], d=100, keep=10, k=1)
    theirs = certificates.levine_feizi_l0(p_l, runner, d=100, keep=10)
    assert (ours >= theirs).all()


def test_gaussian_topk_reduces_to_cohen_for_k_1_and_converts_to_pixels():
    p_l, others = np.array([0.9, 0.6]), np.array([[0.05, 0.03], [0.3, 0.05]])
    np.testing.assert_allclose(
        certificates.gaussian_topk_l2(p_l, others, sigma=0.5, k=1),
        certificates.gaussian_l2(p_l, others.max(axis=1), sigma=0.5),
        rtol=1e-9,
    )
    assert (
        certificates.gaussian_topk_l2(p_l, others, sigma=0.5, k=2)
        >= certificates.gaussian_topk_l2(p_l, others, sigma=0.5, k=1)
    ).all()
    assert list(certificates.l2_to_l0([0.5, 1.0, 1.01, 2.2, 0.0])) == [0, 0, 1, 4, -1]
    assert list(certificates.l2_to_l0([2.2], channels=3)) == [1]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(p_a=0.9, p_b=[[0.1]], d=10, keep=11, k=1), "keep must be at most d=10"),
        (dict(p_a=0.9, p_b=[[0.1]], d=10, keep=3, k=2), "k must be at most the number of other classes"),
        (dict(p_a=1.5, p_b=[[0.1]], d=10, keep=3, k=1), "p_a must lie in \\[0, 1\\]"),
        (dict(p_a=0.9, p_b=[[0.1]], d=0, keep=3, k=1), "d must be an integer >= 1"),
        (dict(p_a=[0.9, 0.8, 0.7], p_b=[[0.1, 0.05], [0.1, 0.05]], d=10, keep=3, k=1), "p_b must broadcast with p_a"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        certificates.ablation_l0(**kwargs)
