"""Chapter 4's figures (rslib.figures._ablation): ablated images and views, radii against p_l and against n, the
gain of rounding, certified accuracy in pixels."""

import numpy as np
import pytest
import torch

from rslib import certificates, figures, smoothing
from rslib.smoothing import Smoothed


def test_ablated_views_keep_e_pixels_per_seed_on_every_slider_step():

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


def test_an_ablated_image_shows_the_kept_pixels_of_its_first_channel():
    image = torch.rand(2, 6, 6, generator=torch.Generator().manual_seed(1))
    shown = figures.ablated_image(image, 7, seed=3)
    kept = ~np.isnan(shown)
    assert shown.shape == (6, 6) and kept.sum() == 7
    np.testing.assert_allclose(shown[kept], image[0].numpy()[kept])
    assert np.array_equal(kept, ~np.isnan(figures.ablated_image(image, 7, seed=3)))  # the seed fixes the pixels


def test_radius_against_p_l_draws_each_k_for_each_keep():
    fig = figures.radius_against_p_l(d=50, keeps=(5, 10), ks=(1, 2), others=3, points=40)
    p_l = np.asarray(fig.data[0].x)
    p_others = np.repeat(((1 - p_l) / 3)[:, None], 3, axis=1)
    for step, keep in zip(fig.layout.sliders[0].steps, (5, 10)):
        top1, top2 = (np.asarray(y, dtype=float) for y in step.args[0]["y"])
        for y, k in ((top1, 1), (top2, 2)):
            r = certificates.ablation_l0(p_l, p_others, d=50, keep=keep, k=k)
            np.testing.assert_array_equal(y, np.where(r == certificates.NOT_CERTIFIED, np.nan, r))
        assert (np.nan_to_num(top2, nan=-1) >= np.nan_to_num(top1, nan=-1)).all()  # in the top 2 is easier


def test_rounding_to_the_grid_of_ablation_probabilities_never_costs_a_pixel():
    fig = figures.rounding_gain(settings=((6, 2), (20, 3)), points=80)
    for trace, (d, keep) in zip(fig.data, ((6, 2), (20, 3))):
        p_l = np.asarray(trace.x)
        gain = certificates.ablation_l0(p_l, d=d, keep=keep) - certificates.ablation_l0(
            p_l, d=d, keep=keep, rounding=False
        )
        np.testing.assert_array_equal(trace.y, gain)
        assert (gain >= 0).all()
    assert (np.asarray(fig.data[0].y) > 0).any()  # C(6, 2) = 15: a coarse grid, where rounding gains
