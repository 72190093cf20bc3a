"""The smoothed classifier (rslib.smoothing._classifier) against classifiers whose smoothed version is known
exactly, and its refusals of misuse.

A half-space classifier f(z) = [w.z + b > 0] is its own smoothed classifier under Gaussian noise, and
under Laplace noise when w is axis-aligned: g = f, so the exact robust radius of g at x is the distance
from x to the boundary (l2 for Gaussian, l1 = l2 along an axis for Laplace). No certificate may exceed it.
"""

import _coverage
import numpy as np
import pytest
import torch
from scipy import stats

from rslib import bounds, certificates, smoothing, zoo
from rslib.certificates import NOT_CERTIFIED
from rslib.smoothing import ABSTAIN, Smoothed
from rslib.theory import exact

DIM = 64


class HalfSpace(torch.nn.Module):
    """Logits (0, w.z + b): class 1 on the positive side of the hyperplane."""

    def __init__(self, w, b):
        super().__init__()
        self.w, self.b = w, b

    def forward(self, z):
        score = z.flatten(1) @ self.w + self.b
        return torch.stack([torch.zeros_like(score), score], dim=1)


def _half_space(seed, axis_aligned=False):
    gen = torch.Generator().manual_seed(seed)
    w = torch.zeros(DIM) if axis_aligned else torch.randn(DIM, generator=gen)
    if axis_aligned:
        w[0] = 1.0
    return w / w.norm(), 0.1


def _signed_distance(x, w, b):
    return float(x @ w + b)  # w has unit norm


@pytest.mark.parametrize(
    "make_noise,axis_aligned", [(lambda: smoothing.Gaussian(0.5), False), (lambda: smoothing.Laplace(0.4), True)]
)
def test_certified_radius_never_exceeds_the_exact_radius(make_noise, axis_aligned):
    # A certificate misses when its label is not the smoothed classifier's or its radius is too large: with
    # probability <= alpha each. certify_many packs the inputs into shared batches, each with its own seed.
    w, b = _half_space(0, axis_aligned)
    smoothed = Smoothed(HalfSpace(w, b), make_noise(), num_classes=2, device="cpu", input_shape=(DIM,))
    plan = _coverage.plan(0.2)
    xs = torch.randn(plan.trials, DIM, generator=torch.Generator().manual_seed(1)) * 0.5
    certs = smoothed.certify_many(list(xs), n0=50, n=500, alpha=plan.alpha, seeds=range(plan.trials))
    dist = [_signed_distance(x, w, b) for x in xs]
    assert sum(c.label != ABSTAIN for c in certs) > plan.trials // 2
    plan.check([c.label != ABSTAIN and (c.label != int(d > 0) or c.radius > abs(d)) for c, d in zip(certs, dist)])


def test_exact_probability_gives_the_exact_radius_and_sampling_agrees():
    w, b = _half_space(2)
    sigma = 0.5
    smoothed = Smoothed(HalfSpace(w, b), smoothing.Gaussian(sigma), num_classes=2, device="cpu")
    x = w * 0.3  # distance 0.3 + b from the boundary
    dist = _signed_distance(x, w, b)
    p_exact = stats.norm.cdf(dist / sigma)
    assert certificates.gaussian_l2(p_exact, sigma=sigma) == pytest.approx(dist)
    n = 20_000
    counts = smoothed.sample_counts(x, n, batch_size=4096, generator=torch.Generator().manual_seed(0)).numpy()
    assert counts.sum() == n
    assert abs(counts[1] / n - p_exact) < 4 * np.sqrt(p_exact * (1 - p_exact) / n)


def test_certify_is_reproducible_and_abstains_on_the_boundary():
    w, b = _half_space(3)
    smoothed = Smoothed(HalfSpace(w, b), smoothing.Gaussian(1.0), num_classes=2, device="cpu")
    x = torch.randn(DIM)
    first = smoothed.certify(x, 10, 500, 0.01, batch_size=128, seed=7)
    again = smoothed.certify(x, 10, 500, 0.01, batch_size=64, seed=7)
    assert first.label == again.label and first.radius == again.radius
    assert np.array_equal(first.counts, again.counts), "the batch size must not change the samples"
    on_boundary = -b * w
    assert smoothed.certify(on_boundary, 10, 2000, 0.001).label == ABSTAIN
    assert smoothed.predict(on_boundary, 2000, 0.001) == ABSTAIN
    assert smoothed.predict(w * 5, 200, 0.001) == 1


def test_bad_input_is_rejected_with_the_parameter_named():
    w, b = _half_space(4)
    smoothed = Smoothed(HalfSpace(w, b), smoothing.Gaussian(1.0), num_classes=2, device="cpu", input_shape=(DIM,))
    x = torch.randn(DIM)
    with pytest.raises(ValueError, match="n0 must be an integer >= 1"):
        smoothed.certify(x, 0, 100, 0.01)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        smoothed.certify(x, 10, 0, 0.01)
    with pytest.raises(ValueError, match="alpha must lie in the open interval"):
        smoothed.certify(x, 10, 100, 1.0)
    with pytest.raises(ValueError, match="batch_size"):
        smoothed.certify(x, 10, 100, 0.01, batch_size=0)
    with pytest.raises(ValueError, match="x must have shape \\(64,\\)"):
        smoothed.certify(x.unsqueeze(0), 10, 100, 0.01)
    with pytest.raises(ValueError, match="x must be finite"):
        smoothed.certify(torch.full((DIM,), float("nan")), 10, 100, 0.01)
    with pytest.raises(TypeError, match="x must be a floating-point torch.Tensor"):
        smoothed.certify(np.zeros(DIM), 10, 100, 0.01)
    with pytest.raises(ValueError, match="seed"):
        smoothed.certify(x, 10, 100, 0.01, seed=-1)
    with pytest.raises(ValueError, match="num_classes"):
        Smoothed(HalfSpace(w, b), smoothing.Gaussian(1.0), num_classes=1)


def test_a_model_with_the_wrong_number_of_classes_is_caught():
    w, b = _half_space(5)
    smoothed = Smoothed(HalfSpace(w, b), smoothing.Gaussian(1.0), num_classes=10, device="cpu")
    with pytest.raises(ValueError, match="num_classes=10"):
        smoothed.certify(torch.randn(DIM), 10, 100, 0.01)


@pytest.mark.parametrize("make_noise", [lambda: smoothing.Gaussian(0.5), lambda: smoothing.Laplace(0.4)])
def test_simultaneous_bounds_certify_soundly_with_three_classes(make_noise):
    # Three slabs along w: class 0 below -0.3, class 1 in between, class 2 above 0.3 (axis-aligned for l1).
    class Slabs(torch.nn.Module):
        def forward(self, z):
            s = z[:, 0]
            return torch.stack([-(s + 0.3) * 50, torch.zeros_like(s) + 0.0 * s, (s - 0.3) * 50], dim=1)

    nz = make_noise()
    cdf = stats.norm(scale=nz.sigma).cdf if isinstance(nz, smoothing.Gaussian) else stats.laplace(scale=nz.scale).cdf
    smoothed = Smoothed(Slabs(), nz, num_classes=3, device="cpu")
    plan = _coverage.plan(0.2)
    xs = torch.zeros(plan.trials, 8)
    xs[:, 0] = torch.rand(plan.trials, generator=torch.Generator().manual_seed(3)) * 2 - 1
    certs = smoothed.certify_many(list(xs), 50, 500, plan.alpha, seeds=range(plan.trials), bound="simultaneous")
    assert all(c.p_b >= 0 and c.p_a + c.p_b <= 1 + 1e-9 for c in certs)
    positions = xs[:, 0].double().numpy()
    top = exact.slab_probabilities(cdf, positions, -0.3, 0.3).argmax(axis=0)
    truth = exact.exact_slab_radii(cdf, positions, [-0.3] * plan.trials, [0.3] * plan.trials, top)
    assert sum(c.label != ABSTAIN for c in certs) > plan.trials // 2
    plan.check([c.label != ABSTAIN and (c.label != t or c.radius > r) for c, t, r in zip(certs, top, truth)])
    with pytest.raises(ValueError, match="bound must be"):
        smoothed.certify(torch.zeros(8), 10, 100, 0.01, bound="exact")


class KeptMass(torch.nn.Module):
    """Scores from the kept pixels of an ablated input: class 0 likes bright kept pixels."""

    def forward(self, z):
        value, complement = z[:, 0].flatten(1).sum(1), z[:, 1].flatten(1).sum(1)
        return torch.stack([value, complement, torch.full_like(value, 2.0)], dim=1)


def test_certify_topk_with_ablation_matches_the_radius_function():
    smoothed = Smoothed(KeptMass(), smoothing.Ablation(6), num_classes=3, device="cpu")
    x = torch.full((1, 6, 6), 0.9)
    cert = smoothed.certify_topk(x, n=500, alpha=0.01, k=1, seed=1)
    assert cert.norm == "l0" and cert.counts.sum() == 500

    lower, upper = bounds.simultaneous_clopper_pearson(cert.counts, 0.01)
    expected = certificates.ablation_l0(lower[0], [upper[1:]], d=36, keep=6, k=1)[0]
    assert cert.radii[0] == expected and cert.labels() == [0]
    assert set(smoothed.certify_topk(x, 500, 0.01, k=2, seed=1).labels()) >= {0}
    top1 = smoothed.certify(x, 10, 500, 0.01, seed=1, bound="simultaneous")  # certify: the top-1 certificate
    assert top1.label == 0 and top1.norm == "l0"
    assert top1.radius == certificates.ablation_l0(top1.p_a, [[top1.p_b]], d=36, keep=6, k=1)[0] >= 0
    with pytest.raises(ValueError, match="k must be smaller than num_classes=3"):
        smoothed.certify_topk(x, 100, 0.01, k=3)


def test_certify_topk_with_gaussian_gives_cohen_radius_for_k_1():
    w, b = _half_space(6)
    smoothed = Smoothed(HalfSpace(w, b), smoothing.Gaussian(0.5), num_classes=2, device="cpu")
    x = w * 0.8
    cert = smoothed.certify_topk(x, 2000, 0.001, k=1, seed=2)

    lower, upper = bounds.simultaneous_clopper_pearson(cert.counts, 0.001)
    assert cert.radii[1] == pytest.approx(certificates.gaussian_l2(lower[1], upper[0], sigma=0.5), rel=1e-6)
    assert cert.radii[1] <= _signed_distance(x, w, b)


@pytest.mark.parametrize(
    "n0,n,alpha,bound", [(1, 1, 0.5, "binary"), (1, 10, 2.0**-10, "binary"), (1, 2, 0.5, "simultaneous")]
)
def test_a_lower_bound_of_exactly_one_half_abstains(n0, n, alpha, bound):
    # The theorems need p_A > p_B strictly; these settings give p_A = p_B = 0.5 for a unanimous model
    # (a half-space far from x: class 1 under every noise draw).
    w = torch.zeros(DIM)
    w[0] = 1.0
    smoothed = Smoothed(HalfSpace(w, 100.0), smoothing.Gaussian(0.5), num_classes=2, device="cpu")
    cert = smoothed.certify(torch.zeros(DIM), n0=n0, n=n, alpha=alpha, bound=bound)
    assert cert.label == ABSTAIN and cert.radius == NOT_CERTIFIED and cert.abstained


class Linear(torch.nn.Module):
    """Logits (0, sum of z): finite on [0, 1] inputs, inf or NaN once an input of 3e38 overflows the sum."""

    def forward(self, z):
        score = z.flatten(1).sum(1)
        return torch.stack([torch.zeros_like(score), score], dim=1)


def _digits(noise_=None, **kwargs) -> Smoothed:
    return Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0), noise_ or smoothing.Gaussian(0.25), 10, device="cpu", **kwargs
    )


def _image():
    return torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0))


def test_a_missing_noise_is_refused_in_the_constructor():
    with pytest.raises(TypeError, match="noise must be an rslib.smoothing.Noise"):
        Smoothed(Linear(), None, 2, device="cpu")


def test_certify_many_takes_any_iterable():
    smoothed = _digits()
    xs = [_image(), _image() * 0.5]
    assert smoothed.certify_many((x for x in xs), 10, 50, 0.01) == smoothed.certify_many(xs, 10, 50, 0.01)


def test_topk_with_a_noise_without_a_topk_certificate_is_named():
    with pytest.raises(NotImplementedError, match="Laplace noise has no top-k certificate; Gaussian and Ablation"):
        _digits(smoothing.Laplace(0.5)).certify_topk(_image(), 20, 0.01)


def test_smoothed_certify_records_u_and_its_seed():
    class Sign(torch.nn.Module):
        def forward(self, z):
            s = z.flatten(1)[:, 0]
            return torch.stack([-s, s], dim=1)

    smoothed = Smoothed(Sign(), smoothing.Gaussian(0.5), 2, device="cpu")
    x = torch.tensor([1.0, 0.0])
    plain = smoothed.certify(x, 100, 2000, 0.001, seed=7)
    randomized = smoothed.certify(x, 100, 2000, 0.001, seed=7, bound="randomized")
    assert (randomized.counts == plain.counts).all()  # the same votes, another bound
    assert randomized.radius >= plain.radius and randomized.u_seed == smoothing.randomization_seed(7)
    assert randomized == smoothed.certify(x, 100, 2000, 0.001, seed=7, bound="randomized")
