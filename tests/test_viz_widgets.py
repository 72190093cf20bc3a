"""Figures and widgets show what rslib computes, and widgets react to their controls."""

import numpy as np
import pytest

from rslib import certificates, figures, results
from rslib.theory import neyman_pearson


def test_radius_curves_follow_gaussian_l2_for_every_slider_step():
    fig = figures.radius_vs_p_a(sigmas=(0.5, 1.0), p_b_values=(None, 0.1), points=50)
    p_a = np.asarray(fig.data[0].x)
    drawn = lambda r: np.where(r == certificates.NOT_CERTIFIED, np.nan, r)  # blank where nothing is certified
    np.testing.assert_allclose(np.asarray(fig.data[1].y, dtype=float), drawn(certificates.gaussian_l2(p_a, sigma=1.0)))
    second = fig.layout.sliders[0].steps[1].args[0]["y"][0]
    ok = p_a <= 0.9
    np.testing.assert_allclose(
        np.asarray(second, dtype=float)[ok], drawn(certificates.gaussian_l2(p_a[ok], 0.1, sigma=0.5))
    )
    assert np.isnan(np.asarray(second)[~ok]).all()


def test_half_space_slider_titles_report_the_shifted_probabilities():
    fig = figures.half_spaces_2d(p_a=0.8, p_b=0.1, sigma=1.0, delta_norms=[0.0, 0.5, 2.0])
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 3
    for step, d in zip(steps, [0.0, 0.5, 2.0]):
        in_a, in_b = neyman_pearson.shifted_probabilities(0.8, 0.1, 1.0, d)
        title = step.args[1]["title.text"]
        assert f"{float(in_a):.3f}" in title and f"{float(in_b):.3f}" in title
        assert ("not certified" in title) == (d >= certificates.gaussian_l2(0.8, 0.1, sigma=1.0))


def test_shifted_probabilities_curve_marks_the_radius():
    fig = figures.shifted_probabilities_curve(0.9, 0.05, 0.5)
    radius = certificates.gaussian_l2(0.9, 0.05, sigma=0.5)
    assert fig.layout.shapes[0].x0 == pytest.approx(radius)


def test_certified_accuracy_figure_has_one_curve_per_run():
    grid = np.linspace(0, 1, 5)
    fig = figures.certified_accuracy({"a": (grid, grid[::-1]), "b": (grid, grid)})
    assert [t.name for t in fig.data] == ["a", "b"]


def test_half_space_explorer_redraws_and_rejects_inconsistent_bounds():
    box = figures.half_space_explorer(p_a=0.8, p_b=0.1, sigma=1.0, delta_norm=0.5)
    sliders = [c for row in box.children[:2] for c in row.children]
    p_a_slider, p_b_slider, _, delta_slider, _ = sliders
    figure, message = box.children[3], box.children[2]
    title_before = figure.layout.title.text
    delta_slider.value = 1.5
    assert figure.layout.title.text != title_before and "1.500" in figure.layout.title.text
    p_b_slider.value = 0.5
    assert "p_A + p_B must be at most 1" in message.value


def test_radius_explorer_reports_the_radius():
    box = figures.radius_explorer(p_a=0.9, p_b=0.05, sigma=0.5)
    # shown rounded down (a radius is never displayed above its value)
    assert results.format_down(certificates.gaussian_l2(0.9, 0.05, sigma=0.5), 4) in box.children[2].value
    box.children[1].value = True  # binary
    assert results.format_down(certificates.gaussian_l2(0.9, sigma=0.5), 4) in box.children[2].value


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


def test_ablation_explorer_redraws_on_both_sliders():
    import torch

    image = torch.rand(1, 28, 28, generator=torch.Generator().manual_seed(0))
    box = figures.ablation_explorer(image, keep=50, seed=0)
    keep, seed = box.children[0].children
    picture, caption = box.children[1].children
    first = picture.value
    seed.value = 7
    assert picture.value != first and "seed 7" in caption.value
    keep.value = 784
    assert caption.value.startswith("784 of 784 pixels kept")


def test_certified_accuracy_studies_show_one_study_per_button():
    grid = np.arange(3)
    studies = {
        "k": {"top-1": (grid, [0.9, 0.5, 0.1]), "top-3": (grid, [1.0, 0.7, 0.2])},
        "n": {"n = 100": (grid, [0.8, 0.2, 0.0])},
    }
    fig = figures.certified_accuracy_studies(studies, x_title="pixels")
    assert [t.visible for t in fig.data] == [True, True, False]
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["k", "n"]
    assert buttons[1].args[0]["visible"] == [False, False, True]
    assert list(fig.data[2].y) == [0.8, 0.2, 0.0]


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: figures.radius_explorer(p_a=1.5), "p_a must lie in \\[0, 1\\], got 1.5"),
        (lambda: figures.radius_explorer(sigma=-1), "sigma must lie in \\[0.05, 2\\], got -1"),
        (lambda: figures.half_space_explorer(delta_norm=5), "delta_norm must lie in \\[0, 4\\], got 5"),
        (
            lambda: figures.ablation_explorer(np.full((1, 8, 8), 0.5), keep=1000),
            "keep must be an integer in \\[1, 64\\], got 1000",
        ),
        (
            lambda: figures.ablation_explorer(np.full((1, 8, 8), 0.5), seed=1000),
            "seed must be an integer in \\[0, 999\\]",
        ),
    ],
)
def test_a_starting_value_outside_its_slider_is_rejected(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_starting_value_at_the_end_of_its_slider_is_kept():
    box = figures.radius_explorer(p_a=1.0, p_b=0.0, sigma=2.0)
    assert [c.value for c in box.children[0].children] == [1.0, 0.0, 2.0]
    keep, seed = figures.ablation_explorer(np.full((1, 8, 8), 0.5), keep=64, seed=999).children[0].children
    assert (keep.value, seed.value) == (64, 999)


def test_ablation_explorer_takes_a_numpy_image_and_rejects_other_shapes():
    import torch

    image = np.random.default_rng(0).random((1, 8, 8))
    caption = figures.ablation_explorer(image[:, ::-1], keep=10).children[1].children[1]
    assert caption.value.startswith("10 of 64 pixels kept")
    with pytest.raises(ValueError, match="image must be a \\(channels, height, width\\) float tensor, got torch.uint8"):
        figures.ablation_explorer(torch.zeros(1, 8, 8, dtype=torch.uint8))
    with pytest.raises(TypeError, match="image must be a torch tensor or a numpy array, got list"):
        figures.ablation_explorer([[[0.5]]])


def test_certify_explorer_shows_the_true_class_as_an_int_and_checks_its_choices():
    import torch
    from torch.utils.data import TensorDataset

    from rslib import smoothing, zoo
    from rslib.smoothing import Smoothed

    smoothed = {
        "g": Smoothed(zoo.build("digits_cnn", 1, 10, seed=0), smoothing.Gaussian(0.25), num_classes=10, device="cpu")
    }
    dataset = TensorDataset(torch.rand(2, 1, 8, 8), torch.tensor([8, 3]))
    result = figures.certify_explorer(smoothed, dataset, n0=10, n=100, alpha=0.1).children[2].children[1]
    assert result.value.startswith("True class 8. ")
    with pytest.raises(ValueError, match="n must be one of 100, 1000, 10000, 100000, got 500"):
        figures.certify_explorer(smoothed, dataset, n=500)
    with pytest.raises(ValueError, match="alpha must be one of 0.1, 0.01, 0.001, got 0.05"):
        figures.certify_explorer(smoothed, dataset, alpha=0.05)


def test_figures_check_their_slider_settings():
    with pytest.raises(ValueError, match="p_b_values must be None or numbers in \\[0, 0.5\\], got \\(None, 0.6\\)"):
        figures.radius_explorer_figure(p_b_values=(None, 0.6))
    fig = figures.radius_explorer_figure(p_b_values=(0.0, 0.5), points=5)  # the ends are valid
    assert len(fig.layout.sliders[0].steps) == 2
    for active in (1, -1):
        with pytest.raises(ValueError, match="active must be an integer in \\[0, 0\\]"):
            figures.half_spaces_2d(delta_norms=[0.5], active=active)
    assert figures.half_spaces_2d(delta_norms=[0.0, 0.5], active=1).layout.sliders[0].active == 1
