"""Property-based tests of every certificate of `rslib.certificates.REGISTRY`: monotone where theory says so,
NOT_CERTIFIED exactly where nothing is certified, and no NaN or exception on edge values (p = 0, p = 1,
p_a = p_b, tiny noise)."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rslib import certificates
from rslib.certificates import NOT_CERTIFIED, REGISTRY

probability = st.floats(0.0, 1.0, allow_nan=False)
noise_level = st.floats(1e-6, 100.0, allow_nan=False)
ADDITIVE = {name: info for name, info in REGISTRY.items() if info.family.name != "ablation"}
# Optimised numerically (grid and refinement, bisection), so monotone only up to their search precision.
SEARCHED = {"renyi_l2": 1e-6, "pixeldp_l2": 1e-2, "gaussian_topk_l2": 1e-9}


def radius(info, p_a, p_b, level):
    return float(info.radius(p_a, p_b, **{info.family.levels[0]: level}))


@st.composite
def consistent_pair(draw):
    p_a = draw(probability)
    return p_a, draw(st.floats(0.0, 1.0 - p_a, allow_nan=False))


@settings(max_examples=150, deadline=None)
@given(pair=consistent_pair(), level=noise_level, shrink=st.floats(0, 1))
def test_every_registered_certificate_is_sound_in_form_and_monotone(pair, level, shrink):
    """A radius is > 0 (possibly inf only at p_a = 1) or NOT_CERTIFIED, which it is at every p_a <= p_b;
    lowering p_a or raising p_b never raises it (binary and pair forms alike)."""
    p_a, p_b = pair
    lower_a, higher_b = p_a * shrink, p_b + (1 - p_a - p_b) * shrink
    for name, info in ADDITIVE.items():
        for b in (p_b, None):
            r = radius(info, p_a, b, level)
            assert not np.isnan(r) and (r > 0 or r == NOT_CERTIFIED), (name, p_a, b, level, r)
            if p_a <= (1 - p_a if b is None else b):
                assert r == NOT_CERTIFIED, (name, p_a, b, r)
            ceiling = r + SEARCHED.get(name, 0.0) * max(r, level) + 1e-12 if np.isfinite(r) else np.inf
            assert radius(info, lower_a, b, level) <= ceiling, (name, p_a, lower_a, b, level)
        assert (
            radius(info, p_a, higher_b, level) <= r + SEARCHED.get(name, 0.0) * max(r, level) + 1e-12
            if np.isfinite(r := radius(info, p_a, p_b, level))
            else True
        ), (name, p_a, p_b, higher_b, level)


@settings(max_examples=200, deadline=None)
@given(p_a=st.floats(0.5, 1.0 - 1e-12), level=noise_level, factor=st.floats(1.0, 10.0))
def test_the_closed_forms_are_linear_in_the_noise_level(p_a, level, factor):
    for name in ("gaussian_l2", "laplace_l1", "lecuyer_l1", "renyi_l1", "gaussian_l2_margin", "soft_margin_l2"):
        info = REGISTRY[name]
        r = radius(info, p_a, None, level)
        if r == NOT_CERTIFIED:
            continue
        np.testing.assert_allclose(radius(info, p_a, None, level * factor), factor * r, rtol=1e-9, atol=1e-300)


def test_binary_laplace_dominates_multiclass_form_with_p_b_equal_one_minus_p_a():
    # Theorem 2 is Theorem 1's second term at p_B = 1 - p_A; Theorem 1 can only be larger or equal.
    p_a = np.linspace(0.501, 0.999, 500)
    assert (certificates.laplace_l1(p_a, 1 - p_a, scale=1.0) >= certificates.laplace_l1(p_a, scale=1.0) - 1e-12).all()


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
