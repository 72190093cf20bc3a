"""Cases of the README's "What is rejected" tables for the engine, models and widgets (README: 'The engine: ...' and 'Widgets and figures').

Merged into test_rejected.CASES; see that module for the form of a case.
"""

import numpy as np
import test_rejected as base
import torch

from rslib import figures, smoothing, zoo
from rslib.smoothing import Smoothed


class _NaNModel(torch.nn.Module):
    """A broken digits classifier: every logit NaN."""

    def forward(self, z):
        return torch.full((z.shape[0], 10), float("nan"))


def _nan_smoothed() -> Smoothed:
    return Smoothed(_NaNModel(), smoothing.Gaussian(0.25), num_classes=10, device="cpu")


def _image_with_nan():
    image = base._x()
    image[0, 2, 3] = float("nan")
    return image


CASES = {
    "`smoothing.certify_dataset(smoothed, dataset_of_3, [0, -1], ...)`": lambda: smoothing.certify_dataset(
        base._smoothed(), base._dataset(3), [0, -1], n0=10, n=10, alpha=0.01, progress=False
    ),
    "`Smoothed(model, None, num_classes=10)`": lambda: Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0), None, num_classes=10
    ),
    "`Smoothed(...).certify(x, ..., seed=2**64)`": lambda: base._smoothed().certify(
        base._x(), n0=10, n=10, alpha=0.01, seed=2**64
    ),
    "`Smoothed(...).certify(torch.tensor(0.5), ...)`": lambda: base._smoothed().certify(
        torch.tensor(0.5), n0=10, n=10, alpha=0.01
    ),
    "`Smoothed(...).certify(torch.zeros(1, 0, 8), ...)`": lambda: base._smoothed().certify(
        torch.zeros(1, 0, 8), n0=10, n=10, alpha=0.01
    ),
    "`Smoothed(...).certify(image_8x8, ...)` (no channel axis, no `input_shape`)": lambda: base._smoothed().certify(
        base._x()[0], n0=10, n=10, alpha=0.01
    ),
    "`Smoothed(model, smoothing.Laplace(0.5), 10).certify_topk(x, ...)`": lambda: base._smoothed(
        smoothing.Laplace(0.5)
    ).certify_topk(base._x(), n=10, alpha=0.01),
    "`smoothing.radii_from_votes(np.ones((2, 5), dtype=int), label=1, num_classes=10, ...)`": lambda: (
        smoothing.radii_from_votes(np.ones((2, 5), dtype=int), label=1, num_classes=10, sigma=0.5, alpha=0.01)
    ),
    "`smoothing.summarize([], n0=100, n_max=1000)`": lambda: smoothing.summarize([], n0=100, n_max=1000),
    "`smoothing.certify_at_radius(smoothed, x, 0.5, gamma=1.0)`": lambda: smoothing.certify_at_radius(
        base._smoothed(), base._x(), 0.5, gamma=1.0
    ),
    "`smoothing.certify_adaptive(smoothed, x, tol=-0.1)`": lambda: smoothing.certify_adaptive(
        base._smoothed(), base._x(), tol=-0.1
    ),
    "`smoothing.certify_adaptive(Smoothed(model, smoothing.Laplace(0.5), 10), x)`": lambda: smoothing.certify_adaptive(
        base._smoothed(smoothing.Laplace(0.5)), base._x()
    ),
    '`smoothing.certificate_from_counts(selection, estimation, ..., bound="randomized")` without `u_seed`': lambda: (
        smoothing.certificate_from_counts(
            np.array([0, 5]), np.array([1, 9]), alpha=0.01, noise=smoothing.Gaussian(0.5), bound="randomized"
        )
    ),
    "`smoothing.Gaussian(0.5, sound=True).sample(torch.full((2, 3), 0.3001))`": lambda: smoothing.Gaussian(
        0.5, sound=True
    ).sample(torch.full((2, 3), 0.3001)),
    '`smoothing.Gaussian(0.5, sound="yes")`': lambda: smoothing.Gaussian(0.5, sound="yes"),
    '`zoo.save(model, "..", card, out_dir)`': lambda: base._digits_model(".."),
    '`zoo.save(model, ".hidden", card, out_dir)`': lambda: base._digits_model(".hidden"),
    '`figures.certify_explorer(smoothed, dataset, class_names=["a"])`': lambda: figures.certify_explorer(
        {"g": base._smoothed()}, base._dataset(), class_names=["a"]
    ),
    "`figures.ablation_explorer(image_1x0x0)`": lambda: figures.ablation_explorer(torch.zeros(1, 0, 0)),
    "`figures.ablation_explorer(image_with_nan)`": lambda: figures.ablation_explorer(_image_with_nan()),
    "`figures.ablation_explorer(1.5 * image_1x8x8)`": lambda: figures.ablation_explorer(1.5 * torch.ones(1, 8, 8)),
    "`Smoothed(...).certify(torch.full((1, 8, 8), 3e38), ...)` (finite, but the model's logits overflow)": lambda: (
        base._smoothed().certify(torch.full((1, 8, 8), 3e38), n0=10, n=10, alpha=0.01)
    ),
    "`smoothing.certify_soft(Smoothed(nan_model, ...), x, ...)`": lambda: smoothing.certify_soft(
        _nan_smoothed(), base._x(), n0=10, n=10, alpha=0.01
    ),
}
