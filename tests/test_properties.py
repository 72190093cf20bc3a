"""A property-based suite over every public function of the radius, bound and sequence modules (issue 13):
drawn finite, boundary and adversarial inputs (NaN, infinities, the smallest subnormal, 1 - 2**-53, huge and
negative levels, bools, strings, None) give either an error that names one of the function's parameters,
or a finite, sound value; and no call takes more than a second of CPU time."""

from __future__ import annotations

import inspect
import math
import time
from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rslib import bounds, certificates
from rslib.certificates import NOT_CERTIFIED, REGISTRY

SPECIAL = [
    0.0,
    -0.0,
    1.0,
    0.5,
    5e-324,
    2.0**-53,
    1 - 2.0**-53,
    1e-300,
    1e-17,
    -1.0,
    1.0000000000000002,
    1e308,
    math.inf,
    -math.inf,
    math.nan,
]
NON_NUMBERS = [None, True, "0.9"]
probability = st.one_of(st.floats(0.0, 1.0), st.sampled_from(SPECIAL), st.floats(allow_nan=True, allow_infinity=True))
level = st.one_of(
    st.floats(1e-6, 100.0), st.sampled_from([*SPECIAL, 1e100, 1.1e100, 1e-300]), st.sampled_from(NON_NUMBERS)
)
count = st.one_of(st.integers(-3, 60), st.sampled_from([0, 1, 10**15, 10**16, True, 2.5]))
SETTINGS = settings(max_examples=120, deadline=None)
CPU_SECONDS = 1.0


def outcome(function, *args, **kwargs):
    """("error", exc) when the call raises a TypeError or ValueError naming one of `function`'s parameters,
    ("value", result) otherwise; an error that names none of them, any other exception, or a call taking
    more than CPU_SECONDS of CPU time fails the test."""
    names = list(inspect.signature(function).parameters)
    start = time.process_time()
    try:
        value = function(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        assert any(name in str(exc) for name in names), f"{function.__name__}: the error names no parameter: {exc}"
        return "error", exc
    finally:
        spent = time.process_time() - start
        assert spent < CPU_SECONDS, f"{function.__name__}{args}{kwargs} took {spent:.2f} s of CPU"
    return "value", value


def exact_gaussian(p_a: float, p_b: float, sigma: float) -> mpmath.mpf:
    """Cohen et al.'s tight radius, sigma / 2 (Phi^-1(p_a) - Phi^-1(p_b)), to 40 digits (p_a > p_b, p_a + p_b <= 1).

    Phi^-1(p) = sqrt(2) erfinv(2p - 1) loses the digits of a tiny p (or 1 - p) in 2p - 1, so the working
    precision grows with -log10 of the smaller tail; p_b = 0 gives inf."""
    if p_b == 0:
        return mpmath.inf

    def phi_inv(p: float) -> mpmath.mpf:
        tail = min(p, 1 - p)
        with mpmath.workdps(40 + (int(-math.log10(tail)) if tail > 0 else 0)):
            return mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1)

    return mpmath.mpf(sigma) / 2 * (phi_inv(p_a) - phi_inv(p_b))


def exact_laplace(p_a: float, p_b: float | None, scale: float) -> mpmath.mpf:
    """Teng et al.'s Theorem 1 (p_b given) or 2 (binary) in 40-digit arithmetic."""
    with mpmath.workdps(40):
        a, lam = mpmath.mpf(p_a), mpmath.mpf(scale)
        if p_b is None:
            return -lam * mpmath.log(2 * (1 - a)) if a < 1 else mpmath.inf
        b = mpmath.mpf(p_b)
        first = lam / 2 * (mpmath.log(a) - mpmath.log(b)) if b > 0 else mpmath.inf
        second = -lam * mpmath.log(1 - a + b) if a - b < 1 else mpmath.inf
        return max(first, second)


def consistent(p_a, p_b) -> bool:
    """Whether (p_a, p_b) are numbers the certificates accept: in [0, 1] with p_a + p_b <= 1 (p_b None: binary)."""
    ok = isinstance(p_a, float) and 0 <= p_a <= 1
    return ok and (p_b is None or (isinstance(p_b, float) and 0 <= p_b <= 1 and p_a + p_b <= 1 + 1e-9))


ADDITIVE = [name for name, info in REGISTRY.items() if info.family.name != "ablation"]


@SETTINGS
@given(
    name=st.sampled_from(ADDITIVE),
    p_a=st.one_of(probability, st.sampled_from(NON_NUMBERS)),
    p_b=st.one_of(st.none(), probability),
    noise_level=level,
)
def test_every_additive_certificate_gives_a_named_error_or_a_finite_sound_radius(name, p_a, p_b, noise_level):
    info = REGISTRY[name]
    kind, value = outcome(
        info.function,
        *(
            (p_a - (p_b or 1 - p_a),)
            if info.from_margin and consistent(p_a, p_b)
            else (p_a, p_b)
            if not info.from_margin
            else (p_a,)
        ),
        **{info.family.levels[0]: noise_level},
    )
    if kind == "error":
        return
    assert isinstance(value, np.floating) and not np.isnan(value), (name, p_a, p_b, noise_level, value)
    assert value > 0 or value == NOT_CERTIFIED
    if not (consistent(p_a, p_b) and isinstance(noise_level, float)):
        return  # a value for inputs outside the ranges (e.g. a margin) was checked for form only
    b = 1 - p_a if p_b is None else p_b
    if p_a <= b:
        assert value == NOT_CERTIFIED, (name, p_a, p_b, value)
    if 0 < b and p_a < 1:  # the exact radius is finite (Phi^-1(1) and -Phi^-1(0) are infinite)
        assert np.isfinite(value), (name, p_a, p_b, value)
    if value > 0 and np.isfinite(value):
        if info.family.name == "gaussian" and info.norm == "l2" or name == "gaussian_l1":
            assert value <= exact_gaussian(p_a, b, noise_level), (name, p_a, p_b, noise_level, value)
        elif info.family.name == "laplace":
            assert value <= exact_laplace(p_a, p_b, noise_level), (name, p_a, p_b, noise_level, value)


@SETTINGS
@given(
    name=st.sampled_from(["ablation_l0", "levine_feizi_l0"]),
    p_a=probability,
    p_b=st.one_of(st.none(), probability),
    d=count,
    keep=count,
    k=st.sampled_from([1, 2, 0, -1, True]),
)
def test_the_ablation_certificates_give_a_named_error_or_a_pixel_count(name, p_a, p_b, d, keep, k):
    function = getattr(certificates, name)
    kwargs = {"d": d, "keep": keep, **({"k": k} if name == "ablation_l0" else {})}
    others = p_b if p_b is None or name == "levine_feizi_l0" else [p_b, 0.0]
    kind, value = outcome(function, p_a, others, **kwargs)
    if kind == "value":
        assert isinstance(value, np.integer) and NOT_CERTIFIED <= value <= d
        if consistent(p_a, p_b) and p_a <= (1 - p_a if p_b is None else p_b) and name == "levine_feizi_l0":
            assert value == NOT_CERTIFIED


@SETTINGS
@given(
    p_a=st.one_of(probability, st.sampled_from(NON_NUMBERS)),
    p_b=st.one_of(st.none(), probability),
    sigma=level,
    k=st.sampled_from([1, 2, 3, 0, True]),
)
def test_the_gaussian_topk_certificate_never_exceeds_cohen_for_k_1(p_a, p_b, sigma, k):
    kind, value = outcome(certificates.gaussian_topk_l2, p_a, [0.0 if p_b is None else p_b, 0.0, 0.0], sigma=sigma, k=k)
    if kind == "value":
        assert not np.isnan(value) and (value > 0 or value == NOT_CERTIFIED)
        if k == 1 and value > 0 and np.isfinite(value) and consistent(p_a, p_b) and p_b is not None:
            assert value <= exact_gaussian(p_a, p_b, sigma) * (1 + 1e-12)


@SETTINGS
@given(
    r=st.one_of(count, st.lists(st.integers(-2, 60), max_size=4)),
    d=count,
    keep=count,
    radius=st.one_of(probability, level),
    channels=count,
)
def test_the_l0_helpers_give_a_named_error_or_an_exact_value(r, d, keep, radius, channels):
    kind, value = outcome(certificates.ablation_delta, r, d=d, keep=keep)
    if kind == "value":
        assert np.all((0 <= np.asarray(value)) & (np.asarray(value) <= 1))
    kind, value = outcome(certificates.l2_to_l0, radius, channels=channels)
    if kind == "value":
        assert value == NOT_CERTIFIED or Fraction(int(value) * channels) < Fraction(radius) ** 2  # sqrt(r C) < R


@SETTINGS
@given(p_a=probability, p_b=st.one_of(st.none(), probability))
def test_the_renyi_order_is_at_least_one(p_a, p_b):
    kind, value = outcome(certificates.renyi_optimal_order, p_a, p_b)
    if kind == "value":
        assert value >= 1 and not np.isnan(value)


@SETTINGS
@given(
    k=count,
    n=count,
    alpha=st.one_of(st.floats(1e-12, 0.5), st.sampled_from([*SPECIAL, *NON_NUMBERS])),
    side=st.sampled_from(["lower", "upper", "both"]),
)
def test_clopper_pearson_gives_a_named_error_or_a_bound_on_the_right_side(k, n, alpha, side):
    kind, value = outcome(bounds.clopper_pearson, k, n, alpha, side=side)
    if kind == "value":
        assert 0 <= value <= 1
        if alpha <= 0.5:  # the median of Bin(n, k/n) is k, so a bound at confidence >= 1/2 brackets k/n
            assert value <= k / n if side == "lower" else value >= k / n
        if side == "lower" and k == n:
            assert value < 1  # a lower bound reaches 1 only with infinitely many votes


@SETTINGS
@given(counts=st.lists(st.integers(-1, 40), min_size=0, max_size=5), alpha=st.sampled_from([0.05, 0.0, 1.5, math.nan]))
def test_simultaneous_bounds_give_a_named_error_or_bracket_every_class(counts, alpha):
    kind, value = outcome(bounds.simultaneous_clopper_pearson, np.array(counts, dtype=int), alpha)
    if kind == "value":
        share = np.array(counts) / sum(counts)
        assert (value.lower <= share).all() and (share <= value.upper).all()


observations = st.lists(
    st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, math.nan, -0.5, 2.0, math.inf])), min_size=0, max_size=60
)


@SETTINGS
@given(
    x=observations,
    alpha=st.sampled_from([0.05, 0.001, 0.0, 1.0, math.nan, True]),
    n=st.sampled_from([None, 1, 10, 0, -5, 2.5]),
    side=st.sampled_from(["lower", "upper", "left"]),
)
def test_mean_bounds_and_sequences_give_a_named_error_or_a_value_in_range(x, alpha, n, side):
    x = np.array(x, dtype=float)
    kind, value = outcome(bounds.empirical_bernstein, x, alpha, side=side)
    if kind == "value":
        assert 0 <= value <= 1 and (value <= x.mean() if side == "lower" else value >= x.mean())
    if x.size:
        kind, value = outcome(
            bounds.hoeffding, float(np.nanmean(x)) if np.isfinite(x).any() else x[0], max(x.size, 1), alpha, side=side
        )
        if kind == "value":
            assert 0 <= value <= 1
    kind, value = outcome(bounds.prpl_eb_sequence, x, alpha, n=n)
    if kind == "value":
        assert value.shape == x.shape and ((0 <= value) & (value <= 1)).all()
        assert (value <= np.cumsum(x) / np.arange(1, x.size + 1) + 1e-12).all()  # never above the running mean
    kind, value = outcome(bounds.prpl_eb_lower, x, alpha, n=n)
    if kind == "value":
        assert 0 <= value <= x.mean() + 1e-12
    kind, value = outcome(bounds.betting_lower, x, alpha, n=n)
    if kind == "value":
        assert 0 <= value <= x.mean()
    kind, value = outcome(bounds.plug_in_bets, x, alpha, n=n)
    if kind == "value":
        assert ((0 <= value) & (value <= 0.5)).all()


@SETTINGS
@given(
    x=observations,
    m=st.sampled_from([0.5, 0.0, 1.0, 1e-300, -0.1, 1.5, math.nan]),
    alpha=st.sampled_from([0.05, 0.0, math.nan]),
)
def test_betting_capital_and_rejections_give_a_named_error_or_a_value(x, m, alpha):
    x = np.array(x, dtype=float)
    kind, value = outcome(bounds.betting_rejects, x, m, alpha)
    if kind == "value":
        assert value.dtype == bool and value.shape == x.shape
    bets = np.full(x.shape, 0.5)
    kind, value = outcome(bounds.betting_log_capital, x, m, bets)
    if kind == "value":
        assert not np.isnan(value)


@settings(max_examples=40, deadline=None)
@given(
    c1=st.integers(-2, 400),
    c2=st.integers(-2, 400),
    n=st.integers(-1, 2000),
    alpha=st.sampled_from([0.05, 0.001, 0.0, math.nan]),
    tolerance=st.sampled_from([1e-6, 1e-3, 0.0, -1.0, math.nan, 1e-12, 0.1, 0.2]),
)
def test_the_margin_bound_gives_a_named_error_or_at_most_the_observed_margin(c1, c2, n, alpha, tolerance):
    kind, value = outcome(bounds.margin_lower, c1, c2, n, alpha, tolerance=tolerance)
    if kind == "value":
        assert -1 <= value <= (c1 - c2) / n


@SETTINGS
@given(radius=level, sigma=level, alpha=st.sampled_from([0.001, 0.5, 0.0, 1.0, math.nan]))
def test_unanimous_samples_give_a_named_error_or_a_sufficient_count(radius, sigma, alpha):
    kind, value = outcome(bounds.unanimous_samples_for_radius, radius, sigma=sigma, alpha=alpha)
    if kind == "value":
        assert isinstance(value, int) and value >= 1
        assert alpha ** (1 / value) >= 0.5  # n unanimous votes give at least a tie-breaking bound


@SETTINGS
@given(
    k=count,
    n=count,
    alpha=st.one_of(st.floats(1e-12, 0.5), st.sampled_from([*SPECIAL, *NON_NUMBERS])),
    seed=st.sampled_from([0, 1, -1, 2**70, 2.5, None]),
    side=st.sampled_from(["lower", "upper", "both"]),
)
def test_randomized_clopper_pearson_gives_a_named_error_or_a_bound_beside_clopper_pearson(k, n, alpha, seed, side):
    kind, value = outcome(bounds.randomized_clopper_pearson, k, n, alpha, seed=seed, side=side)
    if kind == "value":
        assert 0 <= value.bound <= 1 and 0 <= value.u <= 1
        plain = bounds.clopper_pearson(k, n, alpha, side=side)  # randomizing never loosens the bound
        assert value.bound >= plain if side == "lower" else value.bound <= plain


@SETTINGS
@given(
    p0=st.one_of(probability, st.sampled_from(NON_NUMBERS)),
    alpha=st.sampled_from([0.001, 0.05, 0.0, 1.0, math.nan]),
    n_max=st.sampled_from([1, 16, 1000, 0, -1, 2.5, 10**6]),
    gamma=st.sampled_from([0.01, 0.0, 1.0, math.nan]),
)
def test_the_sequential_plan_gives_a_named_error_or_increasing_thresholds(p0, alpha, n_max, gamma):
    kind, plan = outcome(bounds.sequential_plan, p0, alpha=alpha, n_max=n_max, gamma=gamma)
    if kind == "value":
        looks = np.asarray(plan.looks)
        assert looks.size and (np.diff(looks) > 0).all() and looks[-1] <= n_max
        reject = np.asarray(plan.reject, dtype=float)
        assert (reject[np.isfinite(reject)] <= looks[np.isfinite(reject)] + 1).all()


@SETTINGS
@given(
    k=count,
    n=count,
    p0=st.one_of(probability, st.sampled_from(NON_NUMBERS)),
    alternative=st.sampled_from(["greater", "less", "two-sided"]),
)
def test_the_beta_mixture_gives_a_named_error_or_a_log_e_value(k, n, p0, alternative):
    kind, value = outcome(bounds.beta_mixture_log_e, k, n, p0, alternative=alternative)
    if kind == "value":
        assert not np.isnan(value).any() and (np.asarray(value) < np.inf).all()


@SETTINGS
@given(
    p_a=st.one_of(probability, st.sampled_from(NON_NUMBERS)),
    p0=probability,
    alpha=st.sampled_from([0.001, 0.05, 0.0, 1.0, math.nan]),
    n0=st.sampled_from([100, 0, -1]),
    n_max=st.sampled_from([100_000, 1, 0]),
)
def test_the_sample_size_yardsticks_give_a_named_error_or_a_count(p_a, p0, alpha, n0, n_max):
    from rslib.theory import sample_size

    kind, value = outcome(sample_size.wald_samples, p_a, p0, alpha=alpha)
    if kind == "value":
        assert not np.isnan(value).any() and (np.asarray(value) >= 0).all()
    kind, value = outcome(sample_size.oracle_passes, p_a, p0, alpha=alpha, n0=n0, n_max=n_max)
    if kind == "value":
        value = np.asarray(value)  # 0 where no count of n_max votes reaches p0 (no vote is needed to agree)
        assert (((value >= n0) & (value <= n0 + n_max)) | (value == 0)).all()
