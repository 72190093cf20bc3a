"""Chapter 4's figures (rslib.figures._ablation): ablated views, radii against n, certified accuracy in pixels."""

import numpy as np
import pytest
import torch

from rslib import certificates, figures, smoothing
from rslib.smoothing import Smoothed


def test_ablated_views_keep_e_pixels_per_seed_on_every_slider_step():
    import torch

    from rslib import figures

    image = torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0)) * 0.9 + 0.05
    fig = figures.ablated_views(image, keeps=(3, 20), seeds=(0, 1))
    for step, keep in zip(fig.layout.sliders[0].steps, (3, 20)):
        views = [np.asarray(z, dtype=float) for z in step.args[0]["z"]]
        assert all(np.isfinite(v).sum() == keep for v in views)
        assert not np.array_equal(np.isfinite(views[0]), np.isfinite(views[1]))  # seeds differ
        kept = np.isfinite(views[0])
        np.testing.assert_allclose(views[0][kept], image[0].numpy()[::-1][kept], rtol=1e-6)


def test_radius_against_n_matches_the_certificate_of_expected_counts():
    from rslib import bounds, figures

    fig = figures.radius_against_n(d=100, keep=10, p_ls=(0.9,), alphas=(0.1, 0.001), num_classes=3, ns=[100, 10_000])
    for step, alpha in zip(fig.layout.sliders[0].steps, (0.1, 0.001)):
        lower, upper = bounds.simultaneous_clopper_pearson(np.array([[9000, 1000, 0]]), alpha)
        expected = certificates.ablation_l0(lower[:, 0], upper[:, 1:], d=100, keep=10, k=1)[0]
        assert step.args[0]["y"][0][1] == expected
    tight, loose = (fig.layout.sliders[0].steps[i].args[0]["y"][0][1] for i in (0, 1))
    assert tight >= loose  # a smaller alpha never certifies more


class MeanModel(torch.nn.Module):
    """Three classes by the mean of the first channel: enough spread for certificates to vary."""

    def forward(self, z):
        score = (z[:, :1].flatten(1).mean(dim=1) - 0.5) * 20
        return torch.stack([-score, score, torch.zeros_like(score)], dim=1)


def _data(size=5):
    images = torch.rand(size, 1, 6, 6, generator=torch.Generator().manual_seed(0))
    return [(img, int(img.mean() > 0.5)) for img in images]


@pytest.mark.parametrize("noise_", [smoothing.Ablation(10), smoothing.Gaussian(0.5)])
def test_l0_curves_are_the_share_of_inputs_certified_for_each_count(noise_):
    data, smoothed = _data(), Smoothed(MeanModel(), noise_, num_classes=3, device="cpu")
    votes = smoothing.vote_counts(smoothed, data, range(5), ns=(200,), progress=False)
    radius = smoothing.topk_l0_radii(smoothed, votes, 200, 0.01, 1, (1, 6, 6))
    grid = np.arange(4)
    curves = figures.l0_curves({"run": (smoothed, votes)}, {"top-1": ("run", 1, 200, 0.01)}, grid, (1, 6, 6))
    assert list(curves["top-1"][1]) == [np.mean(radius >= r) for r in grid]
