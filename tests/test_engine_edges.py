"""The engine at its edges: broken models, ties, extreme inputs and misuse, each refused or handled soundly."""

import numpy as np
import pytest
import torch

from rslib import _checks, bounds, smoothing
from rslib.certificates import NOT_CERTIFIED
from rslib.smoothing import ABSTAIN, Smoothed

DIM = 8


class NaNModel(torch.nn.Module):
    """A broken base classifier: every logit NaN (argmax would vote for class 0 on every sample)."""

    def forward(self, z):
        return torch.full((z.shape[0], 2), float("nan"))


class Linear(torch.nn.Module):
    """Logits (0, sum of z): finite on [0, 1] inputs, inf or NaN once an input of 3e38 overflows the sum."""

    def forward(self, z):
        score = z.flatten(1).sum(1)
        return torch.stack([torch.zeros_like(score), score], dim=1)


def _broken(case):
    """(smoothed, x): a NaN model on an ordinary input, or a sound model on an input of 3e38 (finite, so
    the input check lets it through, but the model's sum overflows)."""
    if case == "nan-model":
        return Smoothed(NaNModel(), smoothing.Gaussian(0.5), 2, device="cpu"), torch.zeros(DIM)
    return Smoothed(Linear(), smoothing.Gaussian(0.5), 2, device="cpu"), torch.full((DIM,), 3e38)


ROUTES = {
    "predict": lambda s, x: s.predict(x, 20, 0.01),
    "certify": lambda s, x: s.certify(x, 10, 20, 0.01),
    "certify-simultaneous": lambda s, x: s.certify(x, 10, 20, 0.01, bound="simultaneous"),
    "certify_many": lambda s, x: s.certify_many([x, x], 10, 20, 0.01),
    "certify_topk": lambda s, x: s.certify_topk(x, 20, 0.01),
    "sample_votes": lambda s, x: s.sample_votes(x, 20, batch_size=10),
    "soft": lambda s, x: smoothing.certify_soft(s, x, 10, 20, 0.01),
    "sequential": lambda s, x: smoothing.certify_at_radius(s, x, 0.1, n0=10, n_max=200),
    "fixed_n": lambda s, x: smoothing.certify_with_bounds(s, x, 10, 20, 0.01),
}


@pytest.mark.parametrize("case", ["nan-model", "overflowing-input"])
@pytest.mark.parametrize("route", ROUTES)
def test_non_finite_logits_are_refused_on_every_route(route, case):
    smoothed, x = _broken(case)
    with pytest.raises(_checks.NonFiniteLogitsError, match="the model's logits must be finite"):
        ROUTES[route](smoothed, x)


def test_finite_logits_in_the_last_partial_batch_are_checked_too():
    class NaNOnRow(torch.nn.Module):  # only the 25th copy of the input gets NaN logits
        calls = 0

        def forward(self, z):
            out = torch.zeros(z.shape[0], 2)
            out[:, 1] = 1.0
            if self.calls == 2:
                out[0] = float("nan")
            self.calls += 1
            return out

    smoothed = Smoothed(NaNOnRow(), smoothing.Gaussian(0.5), 2, device="cpu")
    with pytest.raises(_checks.NonFiniteLogitsError, match="got 2 NaN or infinite value"):
        smoothed.sample_counts(torch.zeros(DIM), 25, batch_size=10)


class FarHalfSpace(torch.nn.Module):
    """Class 1 under every noise draw near 0 (the boundary z_0 = -100 is out of reach): a unanimous model."""

    def forward(self, z):
        score = z.flatten(1)[:, 0] + 100.0
        return torch.stack([torch.zeros_like(score), score], dim=1)


def test_fixed_n_abstains_at_a_lower_bound_of_exactly_one_half():
    # n = 10 unanimous votes at alpha = 2**-10: the Clopper-Pearson lower bound is exactly 1/2 = p_B.
    smoothed = Smoothed(FarHalfSpace(), smoothing.Gaussian(0.5), 2, device="cpu")
    result = smoothing.certify_with_bounds(smoothed, torch.zeros(DIM), n0=1, n=10, alpha=2.0**-10)
    assert result.label == ABSTAIN and set(result.radii.values()) == {NOT_CERTIFIED}


def test_soft_abstains_when_its_bounds_tie(monkeypatch):
    # Every betting bound exactly 1/2: the score bound is 1/2 (Cohen's radius needs > 1/2) and the margin
    # bound 2 * 1/2 - 1 = 0 (the margin radius needs > 0), so neither certificate holds.
    monkeypatch.setattr(bounds, "betting_lower", lambda *args, **kwargs: 0.5)
    smoothed = Smoothed(FarHalfSpace(), smoothing.Gaussian(0.5), 2, device="cpu")
    cert = smoothing.certify_soft(smoothed, torch.zeros(DIM), n0=10, n=20, alpha=0.01)
    assert cert.label == ABSTAIN and cert.radius_cohen == NOT_CERTIFIED and cert.radius_margin == NOT_CERTIFIED


def test_sequential_tests_against_the_threshold_rounded_up(monkeypatch):
    # At a radius r > 0 so small that Phi(r / sigma) rounds to 1/2, a rejection of "p_A <= 1/2" does not
    # show p_A > Phi(r / sigma): the null tested must be rounded up, above 1/2.
    tested, plan = [], bounds.sequential_plan

    def record(p0, **kwargs):
        tested.append(p0)
        return plan(p0, **kwargs)

    monkeypatch.setattr(bounds, "sequential_plan", record)
    smoothed = Smoothed(FarHalfSpace(), smoothing.Gaussian(0.5), 2, device="cpu")
    smoothing.certify_at_radius(smoothed, torch.zeros(DIM), 1e-300, n0=10, n_max=11)
    assert tested and min(tested) > 0.5


def _digits(noise_=None, **kwargs) -> Smoothed:
    from rslib import zoo

    return Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0), noise_ or smoothing.Gaussian(0.25), 10, device="cpu", **kwargs
    )


def _image():
    return torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_an_input_of_another_dtype_is_cast_to_the_model_s(dtype):
    smoothed, x = _digits(), _image()
    expected = smoothed.certify(x.to(dtype).float(), 10, 50, 0.01)
    assert smoothed.certify(x.to(dtype), 10, 50, 0.01) == expected


@pytest.mark.parametrize(
    "x,message",
    [
        (torch.tensor(0.5), "x must have at least one dimension"),
        (torch.zeros(1, 0, 8), "x must not be empty"),
        (torch.zeros(8, 8), "the model cannot take inputs of shape \\(8, 8\\)"),
    ],
)
def test_inputs_the_model_cannot_take_are_named(x, message):
    with pytest.raises(ValueError, match=message):
        _digits().certify(x, 10, 20, 0.01)


def test_a_missing_noise_is_refused_in_the_constructor():
    with pytest.raises(TypeError, match="noise must be an rslib.smoothing.Noise"):
        Smoothed(Linear(), None, 2, device="cpu")


def test_certify_many_takes_any_iterable():
    smoothed = _digits()
    xs = [_image(), _image() * 0.5]
    assert smoothed.certify_many((x for x in xs), 10, 50, 0.01) == smoothed.certify_many(xs, 10, 50, 0.01)


def test_radii_from_votes_refuses_votes_that_are_not_one_dimensional():
    with pytest.raises(ValueError, match="votes must be a 1-D array"):
        smoothing.radii_from_votes(np.ones((2, 5), dtype=int), 1, 10, sigma=0.5, alpha=0.01)


def test_summarize_refuses_no_rows():
    with pytest.raises(ValueError, match="rows must hold at least one image's row"):
        smoothing.summarize([], 100, 1000)


def test_topk_with_a_noise_without_a_topk_certificate_is_named():
    with pytest.raises(NotImplementedError, match="Laplace noise has no top-k certificate; Gaussian and Ablation"):
        _digits(smoothing.Laplace(0.5)).certify_topk(_image(), 20, 0.01)


@pytest.mark.parametrize(
    "call",
    [
        lambda seed: _digits().certify(_image(), 10, 20, 0.01, seed=seed),
        lambda seed: _digits().certify_many([_image()], 10, 20, 0.01, seeds=[seed]),
        lambda seed: _digits().predict(_image(), 20, 0.01, seed=seed),
        lambda seed: _digits().certify_topk(_image(), 20, 0.01, seed=seed),
        lambda seed: smoothing.certify_soft(_digits(), _image(), 10, 20, 0.01, seed=seed),
        lambda seed: smoothing.certify_at_radius(_digits(), _image(), 0.1, n0=10, n_max=20, seed=seed),
        lambda seed: smoothing.certify_with_bounds(_digits(), _image(), 10, 20, 0.01, seed=seed),
        lambda seed: __import__("rslib.zoo").zoo.build("digits_cnn", 1, 10, seed=seed),
        lambda seed: __import__("rslib.figures").figures.ablated_image(_image(), 5, seed),
    ],
)
def test_seeds_are_checked_everywhere(call):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*63 - 1\], got 18446744073709551616"):
        call(2**64)
    call(2**63 - 1)  # the largest accepted


def test_certificates_compare_by_value():
    smoothed, x = _digits(), _image()
    first, again, other = (smoothed.certify(x, 10, 50, 0.01, seed=s) for s in (0, 0, 1))
    assert first == again and not first != again
    assert first != other
    top, top_again = (smoothed.certify_topk(x, 50, 0.01, seed=0) for _ in range(2))
    assert top == top_again and top != smoothed.certify_topk(x, 50, 0.01, seed=1)


@pytest.mark.parametrize("name", [".", "..", ".hidden"])
def test_models_save_refuses_hidden_and_dot_names(name, tmp_path):
    from rslib import zoo

    with pytest.raises(ValueError, match="name must not start with '.'"):
        zoo.save(zoo.build("digits_cnn", 1, 10, seed=0), name, {}, tmp_path)
    assert not list(tmp_path.iterdir())


def test_certify_explorer_needs_a_name_per_class():
    from torch.utils.data import TensorDataset

    from rslib import figures

    dataset = TensorDataset(torch.rand(2, 1, 8, 8), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="class_names must have num_classes=10 names, got 1"):
        figures.certify_explorer({"g": _digits()}, dataset, class_names=["a"])


@pytest.mark.parametrize(
    "image,message",
    [
        (torch.zeros(1, 0, 0), "image must have at least one pixel"),
        (torch.full((1, 4, 4), float("nan")), r"image must lie in \[0, 1\]"),
        (torch.full((1, 4, 4), 1.5), r"image must lie in \[0, 1\]"),
        (torch.full((1, 4, 4), -0.5), r"image must lie in \[0, 1\]"),
    ],
)
def test_ablation_explorer_refuses_images_it_cannot_draw(image, message):
    from rslib import figures

    with pytest.raises(ValueError, match=message):
        figures.ablation_explorer(image, keep=1)
