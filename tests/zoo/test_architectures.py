"""Base classifiers (rslib.zoo._architectures): sizes, output shapes, normalisation inside the model, seeded
weights."""

import pytest
import torch

from rslib import zoo


@pytest.mark.parametrize("in_channels", [1, 2])
def test_fashion_cnn_size_and_output_shape(in_channels):
    model = zoo.build("fashion_cnn", in_channels, 10)
    assert isinstance(model, zoo.FashionCNN)
    assert 100_000 <= zoo.num_parameters(model) <= 350_000
    assert model(torch.rand(3, in_channels, 28, 28)).shape == (3, 10)


@pytest.mark.parametrize("in_channels", [1, 2])
def test_digits_cnn_output_shape(in_channels):
    model = zoo.build("digits_cnn", in_channels, 10)
    assert zoo.num_parameters(model) < 50_000
    assert model(torch.rand(5, in_channels, 8, 8)).shape == (5, 10)


def test_normalisation_is_inside_the_model():
    model = zoo.FashionCNN()
    assert torch.allclose(
        model.normalize(torch.tensor([0.0, 0.5, 1.0]).view(1, 1, 3, 1)).flatten(), torch.tensor([-1.0, 0.0, 1.0])
    )


def test_build_seed_fixes_the_weights_and_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = zoo.build("digits_cnn", 1, 10, seed=7)
    assert torch.equal(torch.rand(1), before)
    b, c = zoo.build("digits_cnn", 1, 10, seed=7), zoo.build("digits_cnn", 1, 10, seed=8)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    assert not torch.equal(a.state_dict()["features.0.weight"], c.state_dict()["features.0.weight"])


def test_unknown_arch_is_rejected():
    with pytest.raises(ValueError, match="arch must be one of"):
        zoo.build("resnet", 1, 10)
