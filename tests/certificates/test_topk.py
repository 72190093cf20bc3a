"""The top-k and ablation certificates (rslib.certificates._topk): the randomized-ablation l0 radius (Jia et al.
2022, Theorem 1) against brute force on exact fractions, monotone, and sound on a discrete space small
enough to enumerate every ablation and every attack; Delta(r); Levine and Feizi's bound; Jia et al.'s
Gaussian top-k radius; l2 radii in pixels."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rslib import bounds, certificates
from rslib.certificates import NOT_CERTIFIED


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


@settings(max_examples=100, deadline=None)
@given(p_a=st.floats(0.5, 1.0), d=st.integers(4, 40), data=st.data())
def test_ablation_l0_is_an_integer_monotone_in_the_bounds(p_a, d, data):
    keep = data.draw(st.integers(1, d))
    p_b = data.draw(st.floats(0.0, 1.0 - p_a))
    shrink = data.draw(st.floats(0.0, 1.0))
    r = int(certificates.ablation_l0(p_a, [p_b, 0.0], d=d, keep=keep))
    assert NOT_CERTIFIED <= r <= d
    assert certificates.ablation_l0(p_a * shrink, [p_b, 0.0], d=d, keep=keep) <= r
    assert certificates.ablation_l0(p_a, [p_b + (1 - p_a - p_b) * shrink, 0.0], d=d, keep=keep) <= r
    total = math.comb(d, keep)  # ablated probabilities are multiples of 1 / total: bounds are rounded to them
    if math.ceil(p_a * total) <= math.floor(p_b * total):
        assert r == NOT_CERTIFIED
    assert certificates.ablation_l0(p_a, [p_b, 0.0], d=d, keep=keep, k=2) >= r  # in the top 2 is easier than top 1


def test_ablation_delta_is_one_minus_the_share_of_subsets_avoiding_r_pixels():
    for d, keep in [(10, 3), (784, 50)]:
        r = np.arange(d + 1)
        delta = certificates.ablation_delta(r, d=d, keep=keep)
        expected = [float(1 - Fraction(math.comb(d - v, keep), math.comb(d, keep))) for v in r]
        assert list(delta) == expected
        assert delta[0] == 0 and (np.diff(delta) >= 0).all() and (delta[d - keep + 1 :] == 1).all()
    assert certificates.ablation_delta(1, d=784, keep=50) == pytest.approx(50 / 784)
    assert isinstance(certificates.ablation_delta(3, d=10, keep=3), float)


@pytest.mark.parametrize(
    "r,d,keep,message",
    [
        (-1, 10, 3, "r must be an integer"),
        (11, 10, 3, "r must be an integer"),
        (1.5, 10, 3, "r must be an integer"),
        (1, 10, 11, "keep must be at most"),
        (1, 0, 1, "d must be an integer"),
    ],
)
def test_ablation_delta_rejects_bad_input(r, d, keep, message):
    with pytest.raises((ValueError, TypeError), match=message):
        certificates.ablation_delta(r, d=d, keep=keep)


def test_l2_radii_become_pixels_with_the_number_of_channels():
    assert list(certificates.l2_to_l0(np.array([2.2]), channels=3)) == [1]  # sqrt(1 * 3) < 2.2 <= sqrt(2 * 3)


def test_issue13_l2_to_l0_arguments_are_named():
    with pytest.raises(ValueError, match="channels must be an integer >= 1, got 0"):
        certificates.l2_to_l0(1.0, channels=0)
    assert certificates.l2_to_l0(1e200) == np.iinfo(np.int64).max  # capped: a smaller count is still sound
    assert certificates.l2_to_l0(0.0) == -1 and certificates.l2_to_l0(2.0, channels=3) == 1
    assert list(certificates.l2_to_l0([0.0, 1.0, 1.5, 2.0])) == [-1, 0, 2, 3]


def test_with_simuem_bounds_the_top_1_cap_never_binds():
    """p_upper(n_j) <= p_upper(n - n_l) = 1 - p_lower(n_l) at a common level, and rounding keeps it, so
    min(p'_a1, 1 - p'_l) = p'_a1; the cap could bind only for bounds that cannot both hold, which are refused."""

    rng = np.random.default_rng(5)
    counts = np.array(
        [rng.multinomial(n, p) for n, p in zip(rng.integers(10, 5000, 400), rng.dirichlet(np.ones(10) * 0.3, 400))]
    )
    lower, upper = bounds.simultaneous_clopper_pearson(counts, 0.001)
    total = math.comb(784, 50)
    for low, up in zip(lower[:, 0], upper[:, 1:].max(axis=1)):
        assert low + up <= 1 + 1e-12
        assert (
            math.ceil(Fraction(float(low)) * total) + math.floor(Fraction(float(up)) * total) <= total or low + up > 1
        )
    # Bounds for which the cap would bind (p'_l = 0.9, p'_a1 = 0.2) cannot both hold: they are refused, not certified.
    with pytest.raises(ValueError, match="cannot both hold"):
        certificates.ablation_l0(0.9, [[0.2]], d=784, keep=50, k=1)
