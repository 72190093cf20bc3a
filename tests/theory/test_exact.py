"""Classifiers whose smoothed version is known exactly (rslib.theory.exact): the slab probabilities, the exact
radius (against the half-space's distance, in both directions and for top-k), the cases and the report of how
close each certificate comes."""

import numpy as np
import pytest
from scipy import stats

from rslib import certificates
from rslib.theory import exact

CDFS = {"gaussian": stats.norm(scale=0.5).cdf, "laplace": stats.laplace(scale=0.4).cdf}


@pytest.mark.parametrize("noise", CDFS)
def test_slab_probabilities_are_the_cdf_s_differences_and_sum_to_one(noise):
    cdf, positions = CDFS[noise], np.linspace(-2, 2, 41)
    p = exact.slab_probabilities(cdf, positions, -0.3, 0.6)
    assert p.shape == (3, 41) and (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(p[0], cdf(-0.3 - positions))
    np.testing.assert_allclose(p[2], 1 - cdf(0.6 - positions))


@pytest.mark.parametrize("noise", CDFS)
def test_with_the_third_class_out_of_reach_the_radius_is_the_distance_to_the_edge(noise):
    # t2 = 50: class 2 never wins within reach, the slab is a half-space {z <= t1}, and the smoothed prediction
    # changes exactly where the noise is split in half at t1 (both noises are symmetric)
    positions = np.array([-1.7, -0.5, 0.29, 0.31, 0.9, 2.6])
    labels = np.where(positions < 0.3, 0, 1)
    radii = exact.exact_slab_radii(CDFS[noise], positions, [0.3] * 6, [50.0] * 6, labels)
    np.testing.assert_allclose(radii, np.abs(positions - 0.3), atol=1e-9)
    assert exact.exact_slab_radius(CDFS[noise], -0.5, 0.3, 50.0) == (pytest.approx(0.8, abs=1e-9), 0)
    # in the top 2 of 3 classes the label stays while class 2 is out of reach: no radius within reach (a reach of
    # 2: further out the probability of class 1, a difference of CDF values, cancels to 0 and ties with class 2's)
    top2 = exact.exact_slab_radii(CDFS[noise], positions, [0.3] * 6, [50.0] * 6, labels, k=2, reach=2.0)
    assert np.isinf(top2).all()


def test_a_narrow_slab_flips_its_middle_class_first_in_top_1_and_later_in_top_2():
    cdf = CDFS["gaussian"]
    top1, label = exact.exact_slab_radius(cdf, 0.0, -0.8, 0.8)
    top2, _ = exact.exact_slab_radius(cdf, 0.0, -0.8, 0.8, label=1, k=2)
    assert label == 1 and 0 < top1 < top2 < np.inf
    # at the radius the middle class ties with the side towards which x moved
    p = exact.slab_probabilities(cdf, top1, -0.8, 0.8)
    assert p[1] == pytest.approx(p[2], abs=1e-9)


def test_slab_cases_are_fixed_by_their_seed():
    cases = exact.slab_cases(50, seed=3)
    assert len(cases) == 50 and cases == exact.slab_cases(50, seed=3) != exact.slab_cases(50, seed=4)
    position, t1, t2 = np.asarray(cases).T
    assert (t1 < t2).all() and (np.abs(position) <= 2).all() and (np.abs(np.r_[t1, t2]) <= 1.5).all()


def test_the_checked_certificates_are_every_additive_one_and_their_variants():
    names = set(exact.certificates(0.5))
    additive = {n for n, info in certificates.REGISTRY.items() if info.family.name != "ablation"}
    variants = {"gaussian_l2 (binary)", "laplace_l1 (binary)", "gaussian_topk_l2 (k=2, top)"}
    assert additive | variants <= names and len(names) == len(additive) + 7
    assert {n for n in names - additive if n.startswith("soft")} == {
        "soft gaussian_l2 (Salman, F_B)",
        "soft gaussian_l2 (Salman, F_A)",
        "soft_margin_l2 (soft scores)",
    }


def test_closeness_reports_every_certificate_on_the_given_cases():
    cases = exact.slab_cases(60, seed=11)
    report = exact.closeness(0.5, cases=cases)
    assert set(report) == set(exact.certificates(0.5))
    for name, row in report.items():
        assert set(row) == {"inputs", "violations", "mean_ratio", "median_ratio", "max_ratio"}
        assert 50 <= row["inputs"] <= 60 and row["violations"] == 0, (name, row)
        assert 0 <= row["mean_ratio"] <= row["max_ratio"] <= 1 + exact.RTOL, (name, row)
