"""Noise-augmented training (rslib.zoo._training) on the 8x8 digits: reproducibility, learning, every noise, bad
arguments."""

import pytest
import torch

from rslib import smoothing, zoo


@pytest.fixture(scope="module")
def digits():
    return zoo.digits("train"), zoo.digits("test")


def _fit(train_set, smoothing, seed=0, epochs=6, **kwargs):
    in_channels = 1 if smoothing is None else smoothing.in_channels(1)
    model = zoo.build("digits_cnn", in_channels, 10, seed=seed)
    summary = zoo.train(
        model,
        train_set,
        smoothing,
        epochs=epochs,
        lr=0.05,
        batch_size=64,
        seed=seed,
        device="cpu",
        progress=False,
        **kwargs,
    )
    return model, summary


def test_same_seed_same_weights_other_seed_other_weights(digits):
    a, _ = _fit(digits[0], smoothing.Gaussian(0.5), seed=1, epochs=2)
    b, _ = _fit(digits[0], smoothing.Gaussian(0.5), seed=1, epochs=2)
    c, _ = _fit(digits[0], smoothing.Gaussian(0.5), seed=2, epochs=2)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not torch.equal(sa["classifier.1.weight"], sc["classifier.1.weight"])


def test_gaussian_training_learns_well_above_chance(digits):
    model, summary = _fit(digits[0], smoothing.Gaussian(0.25))
    assert [h["epoch"] for h in summary["history"]] == list(range(1, 7))
    assert summary["history"][-1]["loss"] < summary["history"][0]["loss"]
    assert zoo.evaluate(model, digits[1]) > 0.85  # chance is 0.1
    assert zoo.evaluate(model, digits[1], smoothing.Gaussian(0.25), seed=0) > 0.75


@pytest.mark.parametrize(
    "smoothing, floor", [(smoothing.Laplace(0.25), 0.7), (smoothing.Ablation(32), 0.5), (None, 0.9)]
)
def test_laplace_ablation_and_clean_training_learn(digits, smoothing, floor):
    model, _ = _fit(digits[0], smoothing)
    assert zoo.evaluate(model, digits[1], smoothing) > floor


def test_adam_with_a_step_schedule_learns(digits):
    model = zoo.build("digits_cnn", 1, 10, seed=0)
    zoo.train(
        model,
        digits[0],
        smoothing.Gaussian(0.25),
        epochs=6,
        lr=3e-3,
        batch_size=64,
        seed=0,
        optimizer="adam",
        schedule="step",
        progress=False,
    )
    assert zoo.evaluate(model, digits[1]) > 0.85


def test_evaluate_is_seeded_and_counts_every_image(digits):
    model, _ = _fit(digits[0], smoothing.Gaussian(0.5), epochs=1)
    subset = torch.utils.data.TensorDataset(*(t[:101] for t in digits[1].tensors))  # a partial last batch
    a = zoo.evaluate(model, subset, smoothing.Gaussian(0.5), batch_size=25, seed=3)
    assert a == zoo.evaluate(model, subset, smoothing.Gaussian(0.5), batch_size=25, seed=3)
    x, y = subset.tensors
    with torch.no_grad():
        assert zoo.evaluate(model, subset, batch_size=25) == pytest.approx(
            (model(x).argmax(dim=1) == y).double().mean().item()
        )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"lr": -1.0}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 5000}, "batch_size must be at most"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of"),
        ({"schedule": "linear"}, "schedule must be one of"),
    ],
)
def test_bad_training_arguments_name_the_parameter(digits, kwargs, match):
    args = {"epochs": 1, "lr": 0.05, "batch_size": 64, **kwargs}
    with pytest.raises(ValueError, match=match):
        zoo.train(zoo.build("digits_cnn", 1, 10), digits[0], None, progress=False, **args)


@pytest.mark.parametrize(
    "objective,extra", [("type2", {"adversarial_step": 0.05}), ("stability", {"stability_weight": 1.0})]
)
def test_type2_and_stability_objectives_train_reproducibly_and_differ_from_plain(digits, objective, extra):
    plain, _ = _fit(digits[0], smoothing.Laplace(0.2), epochs=2)
    a, summary = _fit(digits[0], smoothing.Laplace(0.2), epochs=2, objective=objective, **extra)
    b, _ = _fit(digits[0], smoothing.Laplace(0.2), epochs=2, objective=objective, **extra)
    assert all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in a.state_dict())
    assert any(not torch.equal(a.state_dict()[k], plain.state_dict()[k]) for k in a.state_dict())
    assert summary["history"][-1]["train_accuracy"] > 0.3


def test_unknown_objective_is_rejected(digits):
    with pytest.raises(ValueError, match="objective must be one of"):
        _fit(digits[0], smoothing.Gaussian(0.5), epochs=1, objective="mixup")
