"""Soundness: no certified radius exceeds the exact robust radius of a classifier known in closed form.

The base classifier splits R^d into three slabs along a unit vector u (class 0 below t1, class 1 between
t1 and t2, class 2 above t2). Its smoothed class probabilities at any point are differences of the
noise's 1-D CDF, so the smoothed classifier's exact robust radius at x (the shortest move along u that
changes its prediction) is found by root finding. Moves orthogonal to u change nothing, and for an
axis-aligned u the l1 and l2 lengths of a move along u agree, so the same radius is exact in both norms.
"""
import numpy as np
import pytest
from scipy import stats

from rslib.exact import exact_slab_radius as _exact_radius
from rslib.exact import slab_probabilities as _probabilities
from rslib import radii

rng = np.random.default_rng(2024)
CASES = [(rng.uniform(-2, 2), *np.sort(rng.uniform(-1.5, 1.5, size=2))) for _ in range(600)]
SATURATED = 1 - 1e-12  # beyond this p_A rounds towards 1.0 in floating point, where the radius is inf by design
# Near p_A = 1 both the certificate and the root-found truth lose relative precision ~ eps / (1 - p_A);
# a relative tolerance of 1e-6 covers that rounding and is far below any real violation.
RTOL = 1e-6


def _bounds_from_exact(p):
    order = np.argsort(p)[::-1]
    return p[order[0]], p[order[1]]


@pytest.mark.parametrize("sigma", [0.25, 0.5, 1.0])
def test_gaussian_l2_is_sound_and_tight_in_the_binary_limit(sigma):
    cdf = stats.norm(scale=sigma).cdf
    slack = []
    for position, t1, t2 in CASES:
        p = _probabilities(cdf, position, t1, t2)
        truth, _ = _exact_radius(cdf, position, t1, t2)
        p_a, p_b = _bounds_from_exact(p)
        if p_a > SATURATED:
            continue
        for certified in (radii.gaussian_l2(p_a, sigma, p_b), radii.gaussian_l2(p_a, sigma)):
            assert certified <= truth * (1 + RTOL) + 1e-12, (position, t1, t2)
        slack.append(truth - radii.gaussian_l2(p_a, sigma, p_b))
    assert min(slack) < 1e-6  # where one class is negligible the slab is a half-space: the bound is tight


@pytest.mark.parametrize("scale", [0.2, 0.5, 1.0])
def test_laplace_l1_is_sound(scale):
    cdf = stats.laplace(scale=scale).cdf
    for position, t1, t2 in CASES:
        p = _probabilities(cdf, position, t1, t2)
        truth, _ = _exact_radius(cdf, position, t1, t2)
        p_a, p_b = _bounds_from_exact(p)
        if p_a > SATURATED:
            continue
        assert radii.laplace_l1(p_a, scale, p_b) <= truth * (1 + RTOL) + 1e-12, (position, t1, t2)
        if p_a > 0.5:
            assert radii.laplace_l1(p_a, scale) <= truth * (1 + RTOL) + 1e-12, (position, t1, t2)


def test_lower_bounds_only_shrink_the_radius():
    # Replacing p_A by a smaller lower bound and p_B by a larger upper bound never grows the radius.
    p_a = rng.uniform(0.3, 1.0, 2000)
    p_b = rng.uniform(0, 1 - p_a)
    shrink = rng.uniform(0, 1, 2000)
    smaller_a, larger_b = p_a * shrink, p_b + (1 - p_a - p_b) * shrink * 0.5
    ok = smaller_a + larger_b <= 1
    assert (radii.gaussian_l2(smaller_a[ok], 0.5, larger_b[ok]) <= radii.gaussian_l2(p_a[ok], 0.5, p_b[ok]) + 1e-12).all()
    assert (radii.laplace_l1(smaller_a[ok], 0.5, larger_b[ok]) <= radii.laplace_l1(p_a[ok], 0.5, p_b[ok]) + 1e-12).all()


def test_every_additive_certificate_is_sound_and_the_tight_ones_reach_the_exact_radius():
    """rslib.exact.closeness: all of rslib's additive-noise certificates on 600 slab classifiers (the report
    shown in the book's soundness appendix). No radius above the exact one; Cohen's and the Laplace
    Theorem 1 attain it where the slab is a half-space; the Renyi and PixelDP bounds stay strictly below."""
    from rslib import exact

    report = exact.closeness(0.5)
    assert set(report) == set(exact.certificates(0.5))
    for name, row in report.items():
        assert row["inputs"] > 500 and row["violations"] == 0, (name, row)
        assert row["max_ratio"] <= 1 + 1e-6, (name, row)
    for tight in ("gaussian_l2 (Cohen, p_B)", "laplace_l1 (Theorem 1)"):
        assert report[tight]["max_ratio"] > 0.999
    assert report["renyi_l2 (Li et al.)"]["max_ratio"] < 0.95 and report["pixeldp_l2 (Lecuyer et al.)"]["max_ratio"] < 0.5
