"""What every certificate shares (rslib.certificates._common): "not certified" is NOT_CERTIFIED wherever the
bounds certify nothing, ties abstain, bounds that cannot both hold and inputs that are not numbers are
refused, noise levels are checked. Property-based over every certificate of `REGISTRY` (monotone where
theory says so, no NaN or exception on edge values), and the shared helpers themselves."""

import numpy as np
import pytest
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


@pytest.mark.parametrize(
    "func,kwargs", [(certificates.gaussian_l2, {"sigma": 1.0}), (certificates.laplace_l1, {"scale": 1.0})]
)
@pytest.mark.parametrize(
    "p_a,message",
    [
        (1.2, "p_a must lie in \\[0, 1\\]"),
        (-0.1, "p_a must lie"),
        (float("nan"), "p_a must not be NaN"),
        ("high", "p_a must be a number"),
    ],
)
def test_bad_probabilities_are_rejected(func, kwargs, p_a, message):
    with pytest.raises((ValueError, TypeError), match=message):
        func(p_a, **kwargs)


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), float("inf"), [0.5, 1.0]])
def test_bad_noise_levels_are_rejected(sigma):
    with pytest.raises(ValueError, match="sigma"):
        certificates.gaussian_l2(0.9, sigma=sigma)
    with pytest.raises(ValueError, match="scale"):
        certificates.laplace_l1(0.9, scale=sigma)


def test_inconsistent_bounds_are_rejected():
    with pytest.raises(ValueError, match="p_a \\+ p_b must be at most 1"):
        certificates.gaussian_l2(0.8, 0.5, sigma=1.0)
    with pytest.raises(ValueError, match="p_b must lie"):
        certificates.laplace_l1(0.8, 1.5, scale=1.0)


def test_issue13_inputs_numpy_would_coerce_are_type_errors_naming_the_parameter():
    for value in (True, "0.9", None, [0.9, True], np.array([True])):
        with pytest.raises(TypeError, match="p_a must be a number or an array of numbers"):
            certificates.gaussian_l2(value, sigma=1.0)
    with pytest.raises(TypeError, match="scale must be a number"):
        certificates.laplace_l1(0.9, scale="1")


def test_issue13_topk_and_ablation_refuse_bounds_that_cannot_both_hold_like_gaussian_l2():
    for call in (
        lambda: certificates.gaussian_topk_l2(0.9, [[0.5]], sigma=1.0),
        lambda: certificates.ablation_l0(0.9, [[0.5]], d=784, keep=50),
        lambda: certificates.levine_feizi_l0(0.9, 0.5, d=784, keep=50),
    ):
        with pytest.raises(ValueError, match=r"must be at most 1 \(p_a bounds the top class from below"):
            call()


def test_issue13_huge_noise_levels_are_refused_not_turned_into_inf():
    for call in (
        lambda: certificates.gaussian_l2(0.9, sigma=1e308),
        lambda: certificates.laplace_l1(0.9, scale=1e308),
        lambda: certificates.renyi_l2(0.9, 0.05, sigma=1e308),
        lambda: certificates.gaussian_topk_l2(0.9, [[0.05]], sigma=1e308),
    ):
        with pytest.raises(ValueError, match="must be at most 1e100"):
            call()
    assert np.isfinite(certificates.gaussian_l2(1 - 2**-53, 1e-300, sigma=1e100))


def test_issue13_every_certificate_abstains_at_a_tie():
    for p in (0.5, 0.3, 0.1):
        for name, info in REGISTRY.items():
            levels = {"sigma": 1.0, "scale": 1.0, "d": 784, "keep": 50}
            if name != "ablation_l0":  # rounding to the ablation grid is checked below
                assert info.radius(p, p, **{k: levels[k] for k in info.family.levels}) == NOT_CERTIFIED, name
        # (with Eq. 4's rounding a tie of unrounded bounds can certify r = 0 soundly: the probabilities are
        # multiples of 1 / C(d, keep), so ceil and floor may part them; at a tie of rounded bounds it abstains)
        assert certificates.ablation_l0(p, p, d=784, keep=50, rounding=False) == NOT_CERTIFIED
        assert certificates.ablation_l0(0.5, 0.5, d=10, keep=1) == NOT_CERTIFIED
    assert (
        certificates.gaussian_l2(0.5, sigma=1.0) == NOT_CERTIFIED
        and certificates.laplace_l1(0.5, scale=1.0) == NOT_CERTIFIED
    )
    assert certificates.l2_to_l0(0.0) == NOT_CERTIFIED and certificates.l2_to_l0(NOT_CERTIFIED) == NOT_CERTIFIED
