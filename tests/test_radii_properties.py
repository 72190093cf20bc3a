"""Property-based tests of the radius functions: monotone where theory says so, 0 where nothing is
certified, and no NaN or exception on edge values (p = 0, p = 1, p_a = p_b, tiny noise)."""
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
