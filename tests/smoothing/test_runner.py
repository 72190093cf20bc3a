"""Running the base classifier (rslib.smoothing._runner): packed batches, reduced precision and compilation,
inputs cast or refused, and non-finite logits refused on every route."""

import pytest
import torch

from rslib import _checks, smoothing, zoo
from rslib.smoothing import Smoothed


class ThresholdModel(torch.nn.Module):
    """Class 1 when the mean pixel exceeds 0.5: smooth enough that certificates vary across inputs."""

    def forward(self, z):
        score = (z.flatten(1).mean(dim=1) - 0.5) * 20
        return torch.stack([-score, score], dim=1)


def _dataset(size=12, seed=0):
    gen = torch.Generator().manual_seed(seed)
    images = torch.rand(size, 1, 4, 4, generator=gen)
    return [(img, int(img.mean() > 0.5)) for img in images]


def test_packed_batches_are_full_and_each_inputs_noise_is_its_own():
    seen = []

    class Recorder(ThresholdModel):
        def forward(self, z):
            seen.append(z.shape[0])
            return super().forward(z)

    smoothed = Smoothed(Recorder(), smoothing.Gaussian(0.25), num_classes=2, device="cpu")
    xs = [x for x, _ in _dataset(7)]
    many = smoothed.certify_many(xs, 10, 100, 0.01, batch_size=64, seeds=[3, 1, 4, 1, 5, 9, 2])
    assert seen == [64] * 12 + [7 * 110 - 12 * 64]  # 770 samples: full batches, one partial at the very end
    for x, s, cert in zip(xs, [3, 1, 4, 1, 5, 9, 2], many):
        alone = smoothed.certify(x, 10, 100, 0.01, batch_size=64, seed=s)
        assert (alone.counts == cert.counts).all() and alone.radius == cert.radius
    with pytest.raises(ValueError, match="one shape"):
        smoothed.certify_many([xs[0], torch.rand(1, 5, 5)], 10, 100, 0.01)
    with pytest.raises(ValueError, match="one seed per input"):
        smoothed.certify_many(xs, 10, 100, 0.01, seeds=[1])


def test_bf16_votes_mostly_agree_with_fp32_and_bad_precision_is_named():
    pre = zoo.load_pretrained("fmnist-gaussian-0.25", device="cpu")
    test_set = zoo.fashion_mnist("test")
    fp32 = Smoothed(pre.model, pre.noise, 10, device="cpu")
    bf16 = Smoothed(pre.model, pre.noise, 10, device="cpu", precision="bf16")
    changed = total = 0
    for i in range(0, 2000, 200):
        x = test_set[i][0]
        a = fp32.sample_votes(x, 1000, batch_size=500, generator=torch.Generator().manual_seed(i))
        b = bf16.sample_votes(x, 1000, batch_size=500, generator=torch.Generator().manual_seed(i))
        changed += int((a != b).sum())
        total += a.numel()
    assert changed / total < 0.02  # measured: a fraction of a percent of the votes
    with pytest.raises(ValueError, match="precision must be one of fp32, bf16, fp16"):
        Smoothed(pre.model, pre.noise, 10, device="cpu", precision="int8")


def test_compiled_model_votes_like_the_eager_one_with_padded_last_batch():
    """torch.compile (one graph for batch_size; the last partial batch padded): the votes of the shipped model
    agree with eager ones. Needs a C++ compiler for inductor on the CPU (Debian's build-essential)."""
    pre = zoo.load_pretrained("fmnist-gaussian-0.25", device="cpu")
    x = zoo.fashion_mnist("test")[0][0]
    eager = Smoothed(pre.model, pre.noise, 10, device="cpu")
    compiled = Smoothed(pre.model, pre.noise, 10, device="cpu", compile="default")
    a = eager.sample_votes(
        x, 700, batch_size=256, generator=torch.Generator().manual_seed(0)
    )  # batches 256, 256, 188 (padded)
    b = compiled.sample_votes(x, 700, batch_size=256, generator=torch.Generator().manual_seed(0))
    assert b.shape == (700,)
    assert (a != b).float().mean() < 0.01
    with pytest.raises(ValueError, match="compile must be one of"):
        Smoothed(pre.model, pre.noise, 10, device="cpu", compile="fast")


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


def _digits(noise_=None, **kwargs) -> Smoothed:
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
