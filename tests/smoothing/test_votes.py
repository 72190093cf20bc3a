"""From votes to certificates (rslib.smoothing._votes): Cohen et al.'s CERTIFY and Jia et al.'s top-k
certificates on counts alone, and certificates that compare by value."""

import numpy as np
import pytest
import torch

from rslib import bounds, certificates, smoothing, zoo
from rslib.certificates import NOT_CERTIFIED
from rslib.smoothing import ABSTAIN, Smoothed


def _digits(noise_=None, **kwargs) -> Smoothed:
    return Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0), noise_ or smoothing.Gaussian(0.25), 10, device="cpu", **kwargs
    )


def _image():
    return torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0))


def test_certificates_compare_by_value():
    smoothed, x = _digits(), _image()
    first, again, other = (smoothed.certify(x, 10, 50, 0.01, seed=s) for s in (0, 0, 1))
    assert first == again and not first != again
    assert first != other
    top, top_again = (smoothed.certify_topk(x, 50, 0.01, seed=0) for _ in range(2))
    assert top == top_again and top != smoothed.certify_topk(x, 50, 0.01, seed=1)


def test_the_selection_names_the_class_and_the_estimation_bounds_it():
    cert = smoothing.certificate_from_counts([3, 10], [10, 190], alpha=0.01, noise=smoothing.Gaussian(0.5))
    p_a = bounds.clopper_pearson(190, 200, 0.01)
    assert (cert.label, cert.count_a, cert.norm) == (1, 190, "l2") and cert.counts.tolist() == [10, 190]
    assert cert.p_a == p_a and cert.p_b == 1 - p_a and cert.radius == certificates.gaussian_l2(p_a, sigma=0.5)
    assert not cert.abstained


def test_a_class_the_estimation_does_not_confirm_abstains_with_its_bounds_kept():
    # the selection's top class gets 10 of 200 estimation votes: p_A <= p_B, no certificate
    cert = smoothing.certificate_from_counts([9, 1], [10, 190], alpha=0.01, noise=smoothing.Gaussian(0.5))
    assert cert.abstained and cert.label == ABSTAIN and cert.radius == NOT_CERTIFIED
    assert cert.count_a == 10 and cert.p_a == bounds.clopper_pearson(10, 200, 0.01) and cert.p_b == 1 - cert.p_a


@pytest.mark.parametrize(
    "noise,shape,radius",
    [
        (smoothing.Laplace(0.4), (8,), lambda a, b: certificates.laplace_l1(a, b, scale=0.4)),
        (smoothing.Ablation(6), (1, 6, 6), lambda a, b: certificates.ablation_l0(a, b, d=36, keep=6)),
    ],
)
def test_simultaneous_bounds_give_p_b_as_the_largest_upper_bound_of_the_others(noise, shape, radius):
    counts = np.array([150, 40, 10])
    cert = smoothing.certificate_from_counts(
        counts, counts, alpha=0.01, noise=noise, bound="simultaneous", input_shape=shape
    )
    lower, upper = bounds.simultaneous_clopper_pearson(counts, 0.01)
    assert cert.p_a == lower[0] and cert.p_b == upper[1:].max() and cert.radius == radius(lower[0], upper[1:].max())
    with pytest.raises(ValueError, match="bound must be 'binary', 'simultaneous' or 'randomized', got 'exact'"):
        smoothing.certificate_from_counts(counts, counts, alpha=0.01, noise=noise, bound="exact")


def test_topk_certificates_bound_every_label_against_the_others():
    counts = np.array([300, 150, 50, 0])
    top2 = smoothing.topk_from_counts(counts, alpha=0.01, k=2, noise=smoothing.Gaussian(0.5))
    lower, upper = bounds.simultaneous_clopper_pearson(counts, 0.01)
    for c in range(4):
        expected = certificates.gaussian_topk_l2(lower[c], np.delete(upper, c), sigma=0.5, k=2)
        assert top2.radii[c] == pytest.approx(expected, rel=1e-12)
    assert top2.labels() == [0, 1] and (top2.k, top2.norm) == (2, "l2") and top2.counts is counts
    with pytest.raises(ValueError, match="k must be smaller than num_classes=4, got k=4"):
        smoothing.topk_from_counts(counts, alpha=0.01, k=4, noise=smoothing.Gaussian(0.5))


def test_labels_certified_at_a_radius_read_each_norm_s_ball():
    l0 = smoothing.TopKCertificate(np.array([2, 0, NOT_CERTIFIED]), np.array([5, 3, 2]), 1, "l0")
    assert l0.labels() == [0, 1] and l0.labels(1) == [0] and l0.labels(3) == []  # l0: radius r holds r pixels
    l2 = smoothing.TopKCertificate(np.array([0.5, NOT_CERTIFIED, 0.2]), np.array([5, 3, 2]), 1, "l2")
    assert l2.labels() == [0, 2] and l2.labels(0.2) == [0] and l2.labels(-5) == [0, 2]  # l2: the open ball


def test_certificate_with_the_randomized_bound():
    noise = smoothing.Gaussian(0.5)
    selection, estimation = np.array([0, 100]), np.array([2, 9998])
    plain = smoothing.certificate_from_counts(selection, estimation, alpha=0.001, noise=noise)
    randomized = smoothing.certificate_from_counts(
        selection, estimation, alpha=0.001, noise=noise, bound="randomized", u_seed=4
    )
    assert randomized.label == plain.label == 1 and randomized.radius >= plain.radius
    assert randomized.u_seed == 4 and randomized.u == bounds.randomized_clopper_pearson(9998, 10_000, 0.001, seed=4).u
    assert plain.u is None and plain.u_seed is None
    with pytest.raises(ValueError, match="u_seed must be an integer seed"):
        smoothing.certificate_from_counts(selection, estimation, alpha=0.001, noise=noise, bound="randomized")
