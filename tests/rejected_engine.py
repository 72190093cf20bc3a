"""Cases of the README's "What is rejected" tables for the engine, models and widgets (README: 'The engine: ...' and 'Widgets and figures').

Merged into test_rejected.CASES; see that module for the form of a case.
"""
import numpy as np  # noqa: F401
import torch

import test_rejected as base  # noqa: F401  (its helpers: base._cli, base._certify, base._smoothed, ...)
from rslib import noise, soft
from rslib.smooth import Smoothed


class _NaNModel(torch.nn.Module):
    """A broken digits classifier: every logit NaN."""

    def forward(self, z):
        return torch.full((z.shape[0], 10), float("nan"))


def _nan_smoothed() -> Smoothed:
    return Smoothed(_NaNModel(), noise.Gaussian(0.25), num_classes=10, device="cpu")


CASES = {
    "`Smoothed(...).certify(torch.full((1, 8, 8), 3e38), ...)` (finite, but the model's logits overflow)":
        lambda: base._smoothed().certify(torch.full((1, 8, 8), 3e38), n0=10, n=10, alpha=0.01),
    "`soft.certify_soft(Smoothed(nan_model, ...), x, ...)`":
        lambda: soft.certify_soft(_nan_smoothed(), base._x(), n0=10, n=10, alpha=0.01),
}
