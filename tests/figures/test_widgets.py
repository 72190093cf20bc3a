"""The ipywidgets explorers (rslib.figures._widgets) show what rslib computes, react to their controls and check
their starting values."""

import numpy as np
import pytest
import torch

from rslib import certificates, figures, results, smoothing, zoo
from rslib.smoothing import Smoothed


def test_half_space_explorer_redraws_and_rejects_inconsistent_bounds():
    box = figures.half_space_explorer(p_a=0.8, p_b=0.1, sigma=1.0, delta_norm=0.5)
    sliders = [c for row in box.children[:2] for c in row.children]
    p_a_slider, p_b_slider, _, delta_slider, _ = sliders
    figure, message = box.children[3], box.children[2]
    title_before = figure.layout.title.text
    delta_slider.value = 1.5
    assert figure.layout.title.text != title_before and "1.500" in figure.layout.title.text
    p_b_slider.value = 0.5
    assert "p<sub>A</sub> + p<sub>B</sub> must be at most 1" in message.value


def test_radius_explorer_reports_the_radius():
    box = figures.radius_explorer(p_a=0.9, p_b=0.05, sigma=0.5)
    # shown rounded down (a radius is never displayed above its value)
    assert results.format_down(certificates.gaussian_l2(0.9, 0.05, sigma=0.5), 4) in box.children[2].value
    assert box.children[2].value.count("<td>ℓ₂</td>") == 5 and "<td>l2</td>" not in box.children[2].value
    box.children[1].value = True  # binary
    assert results.format_down(certificates.gaussian_l2(0.9, sigma=0.5), 4) in box.children[2].value


def test_ablation_explorer_redraws_on_both_sliders():
    image = torch.rand(1, 28, 28, generator=torch.Generator().manual_seed(0))
    box = figures.ablation_explorer(image, keep=50, seed=0)
    keep, seed = box.children[0].children
    picture, caption = box.children[1].children
    first = picture.value
    seed.value = 7
    assert picture.value != first and "seed 7" in caption.value
    keep.value = 784
    assert caption.value.startswith("784 of 784 pixels kept")


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
    image = np.random.default_rng(0).random((1, 8, 8))
    caption = figures.ablation_explorer(image[:, ::-1], keep=10).children[1].children[1]
    assert caption.value.startswith("10 of 64 pixels kept")
    with pytest.raises(ValueError, match="image must be a \\(channels, height, width\\) float tensor, got torch.uint8"):
        figures.ablation_explorer(torch.zeros(1, 8, 8, dtype=torch.uint8))
    with pytest.raises(TypeError, match="image must be a torch tensor or a numpy array, got list"):
        figures.ablation_explorer([[[0.5]]])


def test_certify_explorer_shows_the_true_class_as_an_int_and_checks_its_choices():
    from torch.utils.data import TensorDataset

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


def _digits(noise_=None, **kwargs) -> Smoothed:
    return Smoothed(
        zoo.build("digits_cnn", 1, 10, seed=0), noise_ or smoothing.Gaussian(0.25), 10, device="cpu", **kwargs
    )


def test_certify_explorer_needs_a_name_per_class():
    from torch.utils.data import TensorDataset

    dataset = TensorDataset(torch.rand(2, 1, 8, 8), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="class_names must have num_classes=10 names, got 1"):
        figures.certify_explorer({"g": _digits()}, dataset, class_names=["a"])


@pytest.mark.parametrize(
    "image,message",
    [
        (torch.zeros(1, 0, 0), "image must have at least one pixel"),
        (torch.full((1, 4, 4), float("nan")), r"image must lie in \[0, 1\]"),
        (torch.full((1, 4, 4), 1.5), r"image must lie in \[0, 1\]"),
        (torch.full((1, 4, 4), -0.5), r"image must lie in \[0, 1\]"),
    ],
)
def test_ablation_explorer_refuses_images_it_cannot_draw(image, message):
    with pytest.raises(ValueError, match=message):
        figures.ablation_explorer(image, keep=1)
