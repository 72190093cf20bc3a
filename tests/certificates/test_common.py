"""What every certificate shares (rslib.certificates._common): "not certified" is NOT_CERTIFIED wherever the
bounds certify nothing, ties abstain, bounds that cannot both hold and inputs that are not numbers are
refused, noise levels are checked. Property-based over every certificate of `REGISTRY` (monotone where
theory says so, no NaN or exception on edge values), and the shared helpers themselves."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rslib import certificates
from rslib.certificates import NOT_CERTIFIED, REGISTRY, _common

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


def test_not_certified_is_minus_one_and_below_every_radius():
    assert NOT_CERTIFIED == -1 and certificates.NOT_CERTIFIED is _common.NOT_CERTIFIED
    assert certificates.gaussian_l2(0.3, sigma=1.0) == NOT_CERTIFIED == certificates.ablation_l0(0.3, d=10, keep=2)


def test_pair_reads_the_binary_bound_and_broadcasts():
    p_a, p_b = _common.pair([0.9, 0.7], None)
    assert (p_b == 1 - p_a).all()
    p_a, p_b = _common.pair(0.6, [0.1, 0.2, 0.3])
    assert p_a.shape == p_b.shape == (3,) and (p_a == 0.6).all()
    assert _common.pair(0.6, 0.4 + 1e-10)[1] == 0.4 + 1e-10  # floating-point excess of a sum is tolerated
    with pytest.raises(ValueError, match=r"p_a \+ p_b must be at most 1"):
        _common.pair(0.6, 0.4 + 1e-8)


def test_check_sum_names_the_bounds_that_cannot_both_hold():
    _common.check_sum([0.5, 0.7], [0.5, 0.3], "a + b", "a", "b")
    message = r"a \+ b must be at most 1 \(a bounds the top class from below, b another class from above\)"
    with pytest.raises(ValueError, match=message):
        _common.check_sum([0.5, 0.7], [0.5, 0.4], "a + b", "a", "b")


def test_scalar_in_scalar_out():
    value = _common.scalar_if_0d(np.asarray(0.25))
    assert isinstance(value, np.float64) and not isinstance(value, np.ndarray)
    assert _common.scalar_if_0d(np.array([0.25])).shape == (1,)
    for info in REGISTRY.values():
        levels = {"sigma": 1.0, "scale": 1.0, "d": 784, "keep": 50}
        r = info.radius(0.9, 0.05, **{k: levels[k] for k in info.family.levels})
        assert isinstance(r, np.generic) and np.ndim(r) == 0, info.name


def test_radius_down_lies_below_and_never_below_zero():
    radii = np.array([0.0, 1e-320, 1e-300, 1.0, 7.5, np.inf])
    lowered = _common.radius_down(radii)
    assert (lowered[1:-1] < radii[1:-1]).all() and (lowered >= 0).all()
    assert lowered[0] == 0.0 and lowered[-1] == np.inf  # one ulp below 0 is clipped to 0; inf is kept
    assert (lowered[3:5] <= radii[3:5] * (1 - _common.ULPS)).all()
    assert _common.radius_down(1.0, absolute_error=0.5) < 0.5


def test_continuous_certifies_only_where_the_theorem_holds_and_the_ball_is_not_empty():
    out = _common.continuous([0.5, 0.5, 0.0, 2.0], [True, False, True, True])
    np.testing.assert_array_equal(out, [0.5, NOT_CERTIFIED, NOT_CERTIFIED, 2.0])
    assert _common.continuous(0.3, True) == 0.3 and isinstance(_common.continuous(0.3, True), np.float64)


def test_log_one_minus_keeps_its_relative_accuracy_as_p_a_nears_one():
    mpmath.mp.dps = 40
    for p_a, p_b in [(0.3, 0.1), (0.7, 0.1), (1 - 2**-50, 1e-20), (1 - 2**-52, 0.0), (0.999, 1e-300)]:
        gap = p_a - p_b
        exact = mpmath.log(1 - (mpmath.mpf(p_a) - mpmath.mpf(p_b)))
        assert float(_common.log_one_minus(gap, p_a, p_b)) == pytest.approx(float(exact), rel=1e-12), (p_a, p_b)
        # and -log(1 - gap) from the gap's complement written as two exact terms
        complement = (1 - p_a) + p_b
        assert float(_common.minus_log_one_minus(gap, complement)) == pytest.approx(-float(exact), rel=1e-12)
