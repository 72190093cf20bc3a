"""The engine at its edges: broken models, ties, extreme inputs and misuse, each refused or handled soundly."""
import numpy as np
import pytest
import torch

from rslib import _checks, fixed_n, noise, sequential, soft
from rslib.smooth import ABSTAIN, Smoothed

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
        return Smoothed(NaNModel(), noise.Gaussian(0.5), 2, device="cpu"), torch.zeros(DIM)
    return Smoothed(Linear(), noise.Gaussian(0.5), 2, device="cpu"), torch.full((DIM,), 3e38)


ROUTES = {
    "predict": lambda s, x: s.predict(x, 20, 0.01),
    "certify": lambda s, x: s.certify(x, 10, 20, 0.01),
    "certify-simultaneous": lambda s, x: s.certify(x, 10, 20, 0.01, bound="simultaneous"),
    "certify_many": lambda s, x: s.certify_many([x, x], 10, 20, 0.01),
    "certify_topk": lambda s, x: s.certify_topk(x, 20, 0.01),
    "sample_votes": lambda s, x: s.sample_votes(x, 20, 10),
    "soft": lambda s, x: soft.certify_soft(s, x, 10, 20, 0.01),
    "sequential": lambda s, x: sequential.certify_at_radius(s, x, 0.1, n0=10, n_max=200),
    "fixed_n": lambda s, x: fixed_n.certify_with_bounds(s, x, 10, 20, 0.01),
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

    smoothed = Smoothed(NaNOnRow(), noise.Gaussian(0.5), 2, device="cpu")
    with pytest.raises(_checks.NonFiniteLogitsError, match="got 2 NaN or infinite value"):
        smoothed.sample_counts(torch.zeros(DIM), 25, 10)
