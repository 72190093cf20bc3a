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

from rslib import certificates
from rslib.theory import exact

rng = np.random.default_rng(2024)
POSITION, T1, T2 = np.asarray(exact.slab_cases(), dtype=float).T  # 2,000 slab classifiers and inputs
SATURATED, RTOL = exact.SATURATED, exact.RTOL  # see rslib.exact


def _exact(cdf):
    """Exact smoothed probabilities (cases, 3), top two of them, and the exact radius, where p_A < SATURATED."""
    p = exact.slab_probabilities(cdf, POSITION, T1, T2).T
    keep = p.max(axis=1) <= SATURATED
    p = p[keep]
    top2 = -np.sort(-p, axis=1)[:, :2]
    truth = exact.exact_slab_radii(cdf, POSITION[keep], T1[keep], T2[keep], p.argmax(axis=1))
    return top2[:, 0], top2[:, 1], truth


@pytest.mark.parametrize("sigma", [0.25, 0.5, 1.0])
def test_gaussian_l2_is_sound_and_tight_in_the_binary_limit(sigma):
    p_a, p_b, truth = _exact(stats.norm(scale=sigma).cdf)
    assert len(truth) > 1500
    for certified in (certificates.gaussian_l2(p_a, p_b, sigma=sigma), certificates.gaussian_l2(p_a, sigma=sigma)):
        assert (certified <= truth * (1 + RTOL) + 1e-12).all()
    # where one class is negligible the slab is a half-space: the bound is tight
    assert (truth - certificates.gaussian_l2(p_a, p_b, sigma=sigma)).min() < 1e-6


@pytest.mark.parametrize("scale", [0.2, 0.5, 1.0])
def test_laplace_l1_is_sound(scale):
    p_a, p_b, truth = _exact(stats.laplace(scale=scale).cdf)
    assert len(truth) > 1500
    assert (certificates.laplace_l1(p_a, p_b, scale=scale) <= truth * (1 + RTOL) + 1e-12).all()
    binary = p_a > 0.5
    assert (certificates.laplace_l1(p_a[binary], scale=scale) <= truth[binary] * (1 + RTOL) + 1e-12).all()


def test_the_vectorised_exact_radius_agrees_with_scalar_root_finding():
    from scipy import optimize

    cdf = stats.laplace(scale=0.4).cdf
    for position, t1, t2 in exact.slab_cases(40, seed=7):
        label = int(np.argmax(exact.slab_probabilities(cdf, position, t1, t2)))

        def margin(s):
            p = exact.slab_probabilities(cdf, position + s, t1, t2)
            return p[label] - np.delete(p, label).max()

        roots = [optimize.brentq(margin, 0, 8 * d) for d in (1, -1) if margin(8 * d) < 0]
        expected = min(abs(r) for r in roots) if roots else np.inf
        assert exact.exact_slab_radius(cdf, position, t1, t2)[0] == pytest.approx(expected, abs=1e-9)


def test_lower_bounds_only_shrink_the_radius():
    # Replacing p_A by a smaller lower bound and p_B by a larger upper bound never grows the radius.
    p_a = rng.uniform(0.3, 1.0, 2000)
    p_b = rng.uniform(0, 1 - p_a)
    shrink = rng.uniform(0, 1, 2000)
    smaller_a, larger_b = p_a * shrink, p_b + (1 - p_a - p_b) * shrink * 0.5
    ok = smaller_a + larger_b <= 1
    assert (
        certificates.gaussian_l2(smaller_a[ok], larger_b[ok], sigma=0.5)
        <= certificates.gaussian_l2(p_a[ok], p_b[ok], sigma=0.5) + 1e-12
    ).all()
    assert (
        certificates.laplace_l1(smaller_a[ok], larger_b[ok], scale=0.5)
        <= certificates.laplace_l1(p_a[ok], p_b[ok], scale=0.5) + 1e-12
    ).all()


def test_every_additive_certificate_is_sound_and_the_tight_ones_reach_the_exact_radius():
    """rslib.exact.closeness: all of rslib's additive-noise certificates (hard and soft, top-1 and top-2) on
    2,000 slab classifiers (the report shown in the book's soundness appendix). No radius above the exact
    one; Cohen's, Jia's top-k and the Laplace Theorem 1 attain it where the slab is a half-space; the Renyi
    and PixelDP bounds stay strictly below; the soft radii stay below sigma / sqrt(sigma^2 + tau^2) of it."""
    report = exact.closeness(0.5)
    assert set(report) == set(exact.certificates(0.5))
    for name, row in report.items():
        assert row["inputs"] >= 1500 and row["violations"] == 0, (name, row)
        assert row["max_ratio"] <= 1 + 1e-6, (name, row)
    for tight in ("gaussian_l2", "laplace_l1", "gaussian_topk_l2 (k=2, top)", "gaussian_topk_l2 (k=2, 2nd)"):
        assert report[tight]["max_ratio"] > 0.999, tight
    assert report["renyi_l2"]["max_ratio"] < 0.95 and report["pixeldp_l2"]["max_ratio"] < 0.5
    soft_limit = 0.5 / np.hypot(0.5, 0.5)  # the soft base classifier's own probit width tau = 0.5
    for soft in ("soft gaussian_l2 (Salman, F_B)", "soft gaussian_l2 (Salman, F_A)", "soft_margin_l2 (soft scores)"):
        assert report[soft]["max_ratio"] <= soft_limit + 1e-6, soft
