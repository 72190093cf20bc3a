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


class FarHalfSpace(torch.nn.Module):
    """Class 1 under every noise draw near 0 (the boundary z_0 = -100 is out of reach): a unanimous model."""

    def forward(self, z):
        score = z.flatten(1)[:, 0] + 100.0
        return torch.stack([torch.zeros_like(score), score], dim=1)


def test_fixed_n_abstains_at_a_lower_bound_of_exactly_one_half():
    # n = 10 unanimous votes at alpha = 2**-10: the Clopper-Pearson lower bound is exactly 1/2 = p_B.
    smoothed = Smoothed(FarHalfSpace(), noise.Gaussian(0.5), 2, device="cpu")
    label, by_bound = fixed_n.certify_with_bounds(smoothed, torch.zeros(DIM), n0=1, n=10, alpha=2.0**-10)
    assert label == ABSTAIN and set(by_bound.values()) == {0.0}


def test_soft_abstains_when_its_bounds_tie(monkeypatch):
    # Every betting bound exactly 1/2: the score bound is 1/2 (Cohen's radius needs > 1/2) and the margin
    # bound 2 * 1/2 - 1 = 0 (the margin radius needs > 0), so neither certificate holds.
    monkeypatch.setattr(soft.sequences, "betting_lower", lambda *args, **kwargs: 0.5)
    smoothed = Smoothed(FarHalfSpace(), noise.Gaussian(0.5), 2, device="cpu")
    cert = soft.certify_soft(smoothed, torch.zeros(DIM), n0=10, n=20, alpha=0.01)
    assert cert.label == ABSTAIN and cert.radius_cohen == 0 and cert.radius_margin == 0


def test_sequential_tests_against_the_threshold_rounded_up(monkeypatch):
    # At a radius r > 0 so small that Phi(r / sigma) rounds to 1/2, a rejection of "p_A <= 1/2" does not
    # show p_A > Phi(r / sigma): the null tested must be rounded up, above 1/2.
    tested = []

    def record(x, m0, alpha):
        tested.append(m0)
        return np.zeros(len(x), dtype=bool)

    monkeypatch.setattr(sequential.sequences, "betting_rejects", record)
    smoothed = Smoothed(FarHalfSpace(), noise.Gaussian(0.5), 2, device="cpu")
    sequential.certify_at_radius(smoothed, torch.zeros(DIM), 1e-300, n0=10, n_max=10)
    assert tested[0] > 0.5 and tested[1] < 0.5  # certify: p_A above the threshold; refute: 1 - p_A below 1 - it
