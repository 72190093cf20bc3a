"""Figures and widgets show what rslib computes, and widgets react to their controls."""
import numpy as np
import pytest

from rslib import neyman_pearson, radii, viz, widgets


def test_radius_curves_follow_gaussian_l2_for_every_slider_step():
    fig = viz.radius_vs_p_a(sigmas=(0.5, 1.0), p_b_values=(None, 0.1), points=50)
    p_a = np.asarray(fig.data[0].x)
    np.testing.assert_allclose(fig.data[1].y, radii.gaussian_l2(p_a, 1.0))
    second = fig.layout.sliders[0].steps[1].args[0]["y"][0]
    ok = p_a <= 0.9
    np.testing.assert_allclose(np.asarray(second)[ok], radii.gaussian_l2(p_a[ok], 0.5, 0.1))
    assert np.isnan(np.asarray(second)[~ok]).all()


def test_half_space_slider_titles_report_the_shifted_probabilities():
    fig = viz.half_spaces_2d(p_a=0.8, p_b=0.1, sigma=1.0, delta_norms=[0.0, 0.5, 2.0])
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 3
    for step, d in zip(steps, [0.0, 0.5, 2.0]):
        in_a, in_b = neyman_pearson.shifted_probabilities(0.8, 0.1, 1.0, d)
        title = step.args[1]["title.text"]
        assert f"{float(in_a):.3f}" in title and f"{float(in_b):.3f}" in title
        assert ("not certified" in title) == (d >= radii.gaussian_l2(0.8, 1.0, 0.1))


def test_shifted_probabilities_curve_marks_the_radius():
    fig = viz.shifted_probabilities_curve(0.9, 0.05, 0.5)
    radius = radii.gaussian_l2(0.9, 0.5, 0.05)
    assert fig.layout.shapes[0].x0 == pytest.approx(radius)


def test_certified_accuracy_figure_has_one_curve_per_run():
    grid = np.linspace(0, 1, 5)
    fig = viz.certified_accuracy({"a": (grid, grid[::-1]), "b": (grid, grid)})
    assert [t.name for t in fig.data] == ["a", "b"]


def test_half_space_explorer_redraws_and_rejects_inconsistent_bounds():
    box = widgets.half_space_explorer(p_a=0.8, p_b=0.1, sigma=1.0, delta_norm=0.5)
    sliders = [c for row in box.children[:2] for c in row.children]
    p_a_slider, p_b_slider, _, delta_slider, _ = sliders
    figure, message = box.children[3], box.children[2]
    title_before = figure.layout.title.text
    delta_slider.value = 1.5
    assert figure.layout.title.text != title_before and "1.500" in figure.layout.title.text
    p_b_slider.value = 0.5
    assert "p_A + p_B must be at most 1" in message.value


def test_radius_explorer_reports_the_radius():
    box = widgets.radius_explorer(p_a=0.9, p_b=0.05, sigma=0.5)
    assert f"{radii.gaussian_l2(0.9, 0.5, 0.05):.4f}" in box.children[2].value
    box.children[1].value = True  # binary
    assert f"{radii.gaussian_l2(0.9, 0.5):.4f}" in box.children[2].value


def test_ablated_views_keep_e_pixels_per_seed_on_every_slider_step():
    import torch

    from rslib import viz_l0

    image = torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(0)) * 0.9 + 0.05
    fig = viz_l0.ablated_views(image, keeps=(3, 20), seeds=(0, 1))
    for step, keep in zip(fig.layout.sliders[0].steps, (3, 20)):
        views = [np.asarray(z, dtype=float) for z in step.args[0]["z"]]
        assert all(np.isfinite(v).sum() == keep for v in views)
        assert not np.array_equal(np.isfinite(views[0]), np.isfinite(views[1]))  # seeds differ
        kept = np.isfinite(views[0])
        np.testing.assert_allclose(views[0][kept], image[0].numpy()[::-1][kept], rtol=1e-6)


def test_radius_against_n_matches_the_certificate_of_expected_counts():
    from rslib import bounds, viz_l0

    fig = viz_l0.radius_against_n(d=100, keep=10, p_ls=(0.9,), alphas=(0.1, 0.001), num_classes=3, ns=[100, 10_000])
    for step, alpha in zip(fig.layout.sliders[0].steps, (0.1, 0.001)):
        lower, upper = bounds.simultaneous_clopper_pearson(np.array([[9000, 1000, 0]]), alpha)
        expected = radii.ablation_l0(lower[:, 0], upper[:, 1:], 100, 10, 1)[0]
        assert step.args[0]["y"][0][1] == expected
    tight, loose = (fig.layout.sliders[0].steps[i].args[0]["y"][0][1] for i in (0, 1))
    assert tight >= loose  # a smaller alpha never certifies more


def test_ablation_explorer_redraws_on_both_sliders():
    import torch

    image = torch.rand(1, 28, 28, generator=torch.Generator().manual_seed(0))
    box = widgets.ablation_explorer(image, keep=50, seed=0)
    keep, seed = box.children[0].children
    picture, caption = box.children[1].children
    first = picture.value
    seed.value = 7
    assert picture.value != first and "seed 7" in caption.value
    keep.value = 784
    assert caption.value.startswith("784 of 784 pixels kept")


def test_certified_accuracy_studies_show_one_study_per_button():
    grid = np.arange(3)
    studies = {"k": {"top-1": (grid, [0.9, 0.5, 0.1]), "top-3": (grid, [1.0, 0.7, 0.2])},
               "n": {"n = 100": (grid, [0.8, 0.2, 0.0])}}
    fig = viz.certified_accuracy_studies(studies, x_title="pixels")
    assert [t.visible for t in fig.data] == [True, True, False]
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["k", "n"]
    assert buttons[1].args[0]["visible"] == [False, False, True]
    assert list(fig.data[2].y) == [0.8, 0.2, 0.0]
