"""Cases of the README's "What is rejected" tables for the engine, models and widgets (README: 'The engine: ...' and 'Widgets and figures').

Merged into test_rejected.CASES; see that module for the form of a case.
"""
import numpy as np  # noqa: F401
import torch

import test_rejected as base  # noqa: F401  (its helpers: base._cli, base._certify, base._smoothed, ...)
from rslib import certify, fixed_n, models, noise, sequential, soft, widgets
from rslib.smooth import Smoothed


class _NaNModel(torch.nn.Module):
    """A broken digits classifier: every logit NaN."""

    def forward(self, z):
        return torch.full((z.shape[0], 10), float("nan"))


def _nan_smoothed() -> Smoothed:
    return Smoothed(_NaNModel(), noise.Gaussian(0.25), num_classes=10, device="cpu")


def _image_with_nan():
    image = base._x()
    image[0, 2, 3] = float("nan")
    return image


CASES = {
    "`certify.certify_dataset(smoothed, dataset_of_3, [0, -1], ...)`":
        lambda: certify.certify_dataset(base._smoothed(), base._dataset(3), [0, -1], n0=10, n=10, alpha=0.01, progress=False),
    "`Smoothed(model, None, num_classes=10)`": lambda: Smoothed(models.build("digits_cnn", 1, 10, seed=0), None, num_classes=10),
    "`Smoothed(...).certify(x, ..., seed=2**64)`": lambda: base._smoothed().certify(base._x(), n0=10, n=10, alpha=0.01, seed=2**64),
    "`Smoothed(...).certify(torch.tensor(0.5), ...)`": lambda: base._smoothed().certify(torch.tensor(0.5), n0=10, n=10, alpha=0.01),
    "`Smoothed(...).certify(torch.zeros(1, 0, 8), ...)`":
        lambda: base._smoothed().certify(torch.zeros(1, 0, 8), n0=10, n=10, alpha=0.01),
    "`Smoothed(...).certify(image_8x8, ...)` (no channel axis, no `input_shape`)":
        lambda: base._smoothed().certify(base._x()[0], n0=10, n=10, alpha=0.01),
    "`Smoothed(model, noise.Laplace(0.5), 10).certify_topk(x, ...)`":
        lambda: base._smoothed(noise.Laplace(0.5)).certify_topk(base._x(), n=10, alpha=0.01),
    "`fixed_n.radii_from_votes(np.ones((2, 5), dtype=int), label=1, num_classes=10, ...)`":
        lambda: fixed_n.radii_from_votes(np.ones((2, 5), dtype=int), label=1, num_classes=10, sigma=0.5, alpha=0.01),
    "`sequential.summarize([], n0=100, n_max=1000)`": lambda: sequential.summarize([], n0=100, n_max=1000),
    '`models.save(model, "..", card, out_dir)`': lambda: base._digits_model(".."),
    '`models.save(model, ".hidden", card, out_dir)`': lambda: base._digits_model(".hidden"),
    '`widgets.certify_explorer(smoothed, dataset, class_names=["a"])`':
        lambda: widgets.certify_explorer({"g": base._smoothed()}, base._dataset(), class_names=["a"]),
    "`widgets.ablation_explorer(image_1x0x0)`": lambda: widgets.ablation_explorer(torch.zeros(1, 0, 0)),
    "`widgets.ablation_explorer(image_with_nan)`": lambda: widgets.ablation_explorer(_image_with_nan()),
    "`widgets.ablation_explorer(1.5 * image_1x8x8)`": lambda: widgets.ablation_explorer(1.5 * torch.ones(1, 8, 8)),
    "`Smoothed(...).certify(torch.full((1, 8, 8), 3e38), ...)` (finite, but the model's logits overflow)":
        lambda: base._smoothed().certify(torch.full((1, 8, 8), 3e38), n0=10, n=10, alpha=0.01),
    "`soft.certify_soft(Smoothed(nan_model, ...), x, ...)`":
        lambda: soft.certify_soft(_nan_smoothed(), base._x(), n0=10, n=10, alpha=0.01),
}
