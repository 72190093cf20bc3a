"""Property-based tests of the radius functions: monotone where theory says so, 0 where nothing is
certified, and no NaN or exception on edge values (p = 0, p = 1, p_a = p_b, tiny noise)."""
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rslib import radii

probability = st.floats(0.0, 1.0, allow_nan=False)
noise_level = st.floats(1e-6, 100.0, allow_nan=False)
RADII = [(radii.gaussian_l2, "sigma"), (radii.laplace_l1, "scale")]


@st.composite
def consistent_pair(draw):
    p_a = draw(probability)
    return p_a, draw(st.floats(0.0, 1.0 - p_a, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(pair=consistent_pair(), level=noise_level)
def test_finite_or_inf_never_nan_and_zero_when_not_certified(pair, level):
    p_a, p_b = pair
    for func, _ in RADII:
        for r in (func(p_a, level, p_b), func(p_a, level)):
            assert not np.isnan(r) and r >= 0
        if p_a <= p_b:
            assert func(p_a, level, p_b) == 0.0
        if p_a <= 0.5:
            assert func(p_a, level) == 0.0


@settings(max_examples=300, deadline=None)
@given(pair=consistent_pair(), level=noise_level, shrink=st.floats(0, 1))
def test_monotone_in_p_a_and_p_b(pair, level, shrink):
    p_a, p_b = pair
    lower_a = p_a * shrink
    higher_b = p_b + (1 - p_a - p_b) * shrink
    for func, _ in RADII:
        assert func(lower_a, level, p_b) <= func(p_a, level, p_b)
        assert func(p_a, level, higher_b) <= func(p_a, level, p_b)
        assert func(lower_a, level) <= func(p_a, level)


@settings(max_examples=200, deadline=None)
@given(p_a=st.floats(0.5, 1.0 - 1e-12), level=noise_level, factor=st.floats(1.0, 10.0))
def test_linear_in_the_noise_level(p_a, level, factor):
    for func, _ in RADII:
        np.testing.assert_allclose(func(p_a, level * factor), factor * func(p_a, level), rtol=1e-9, atol=1e-300)


def test_binary_laplace_dominates_multiclass_form_with_p_b_equal_one_minus_p_a():
    # Theorem 2 is Theorem 1's second term at p_B = 1 - p_A; Theorem 1 can only be larger or equal.
    p_a = np.linspace(0.5, 0.999, 500)
    assert (radii.laplace_l1(p_a, 1.0, 1 - p_a) >= radii.laplace_l1(p_a, 1.0) - 1e-12).all()


# Every (p_A, p_B) certificate of rslib in one form: radius(p_a, p_b, noise level).
PAIR_RADII = {
    "gaussian_l2": lambda a, b, s: radii.gaussian_l2(a, s, b),
    "gaussian_l1": lambda a, b, s: radii.gaussian_l1(a, s, b),
    "gaussian_l2_margin": lambda a, b, s: radii.gaussian_l2_margin(a - b, s),
    "gaussian_topk_l2 (k=1)": lambda a, b, s: radii.gaussian_topk_l2(a, [[b]], s, 1)[0],
    "laplace_l1": lambda a, b, s: radii.laplace_l1(a, s, b),
    "lecuyer_l1": lambda a, b, s: radii.lecuyer_l1(a, s, b),
    "renyi_l2": lambda a, b, s: radii.renyi_l2(a, b, s),
    "renyi_l1": lambda a, b, s: radii.renyi_l1(a, b, s),
    "pixeldp_l2": lambda a, b, s: radii.pixeldp_l2(a, b, s),
    "soft_margin_l2": lambda a, b, s: radii.soft_margin_l2(a - b, s),
}
# Optimised numerically (grid and refinement, bisection), so monotone only up to their search precision.
SEARCHED = {"renyi_l2": 1e-6, "pixeldp_l2": 1e-2, "gaussian_topk_l2 (k=1)": 1e-9}


@settings(max_examples=150, deadline=None)
@given(pair=consistent_pair(), level=noise_level, shrink=st.floats(0, 1))
def test_every_pair_certificate_is_finite_zero_below_p_b_and_monotone(pair, level, shrink):
    p_a, p_b = pair
    lower_a, higher_b = p_a * shrink, p_b + (1 - p_a - p_b) * shrink
    for name, radius in PAIR_RADII.items():
        r = float(radius(p_a, p_b, level))
        assert not np.isnan(r) and r >= 0, (name, p_a, p_b, level, r)
        if p_a <= p_b:
            assert r == 0.0, (name, p_a, p_b, r)
        ceiling = r + SEARCHED.get(name, 0.0) * max(r, level) + 1e-12 if np.isfinite(r) else np.inf
        assert float(radius(lower_a, p_b, level)) <= ceiling, (name, p_a, lower_a, p_b, level)
        assert float(radius(p_a, higher_b, level)) <= ceiling, (name, p_a, p_b, higher_b, level)


@settings(max_examples=100, deadline=None)
@given(p_a=st.floats(0.5, 1.0), d=st.integers(4, 40), data=st.data())
def test_ablation_l0_is_an_integer_monotone_in_the_bounds(p_a, d, data):
    keep = data.draw(st.integers(1, d))
    p_b = data.draw(st.floats(0.0, 1.0 - p_a))
    shrink = data.draw(st.floats(0.0, 1.0))
    r = int(radii.ablation_l0(p_a, [[p_b, 0.0]], d, keep)[0])
    assert -1 <= r <= d
    assert radii.ablation_l0(p_a * shrink, [[p_b, 0.0]], d, keep)[0] <= r
    assert radii.ablation_l0(p_a, [[p_b + (1 - p_a - p_b) * shrink, 0.0]], d, keep)[0] <= r
    total = math.comb(d, keep)  # ablated probabilities are multiples of 1 / total: bounds are rounded to them
    if math.ceil(p_a * total) <= math.floor(p_b * total):
        assert r == -1
    assert radii.ablation_l0(p_a, [[p_b, 0.0]], d, keep, k=2)[0] >= r  # in the top 2 is easier than top 1
