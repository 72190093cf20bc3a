"""The weights + card format (rslib.zoo._pretrained): saving, loading, safe loading of damaged files, the
shipped models."""

import hashlib
import json
from pathlib import Path

import pytest
import torch

from rslib import smoothing, zoo


@pytest.fixture
def saved(tmp_path):
    model = zoo.build("digits_cnn", 2, 10, seed=0)
    card = {
        "arch": "digits_cnn",
        "dataset": "digits",
        "num_classes": 10,
        "in_channels": 2,
        "noise": smoothing.Ablation(20).params(),
        "seed": 0,
    }
    return model, zoo.save(model, "tiny-ablation", card, tmp_path)


def test_save_load_round_trip(saved, tmp_path):
    model, path = saved
    assert path == tmp_path / "tiny-ablation.pt" and zoo.list_pretrained(tmp_path) == ["tiny-ablation"]
    card = json.loads((tmp_path / "tiny-ablation.json").read_text())
    assert card["name"] == "tiny-ablation" and card["num_parameters"] == zoo.num_parameters(model)
    for loaded in (
        zoo.load_pretrained("tiny-ablation", device="cpu", folder=tmp_path),
        zoo.load_pretrained(path, device="cpu"),
        zoo.load_pretrained(str(path), device="cpu"),
    ):
        assert loaded.name == "tiny-ablation" and loaded.card == card and loaded.path == path
        assert isinstance(loaded.noise, smoothing.Ablation) and loaded.noise.keep == 20 and loaded.num_classes == 10
        assert not loaded.model.training
        x = torch.rand(4, 2, 8, 8)
        assert torch.equal(loaded.model(x), model.eval()(x))


def test_missing_model_lists_the_available_names(saved, tmp_path):
    with pytest.raises(FileNotFoundError, match="no model 'nope'.*available.*tiny-ablation"):
        zoo.load_pretrained("nope", folder=tmp_path)
    (tmp_path / "tiny-ablation.json").unlink()  # weights without a card are not a model
    with pytest.raises(FileNotFoundError, match="available.*none"):
        zoo.load_pretrained("tiny-ablation", folder=tmp_path)


def _flip_byte(path, offset):
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: _flip_byte(p, len(p.read_bytes()) // 2),  # corrupted
        lambda p: p.write_bytes(p.read_bytes()[:100]),  # truncated
        lambda p: p.write_bytes(b""),  # empty
    ],
)
def test_damaged_weights_raise_value_error_naming_the_file(saved, tmp_path, damage):
    _, path = saved
    damage(path)
    with pytest.raises(ValueError, match=f"{path}.*sha256"):
        zoo.load_pretrained("tiny-ablation", folder=tmp_path)


def test_card_hash_mismatch_raises_value_error(saved, tmp_path):
    _, path = saved
    card_path = tmp_path / "tiny-ablation.json"
    card = json.loads(card_path.read_text())
    card_path.write_text(json.dumps({**card, "sha256": "0" * 64}))
    with pytest.raises(ValueError, match=f"{path} does not match the sha256"):
        zoo.load_pretrained(path)


@pytest.mark.parametrize("junk", [b"not a torch file", b"hello\n", b"\x80\x02J\xe8\xd1\r", b"PK\x03\x04" + b"x" * 100])
def test_unloadable_weights_with_a_matching_hash_raise_value_error(saved, tmp_path, junk):
    _, path = saved
    path.write_bytes(junk)  # torch.load raises UnpicklingError, KeyError, struct.error, RuntimeError
    card_path = tmp_path / "tiny-ablation.json"
    card = json.loads(card_path.read_text())
    card_path.write_text(json.dumps({**card, "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()}))
    with pytest.raises(ValueError, match=f"{path} is not a torch checkpoint that loads with weights_only=True"):
        zoo.load_pretrained(path)


def test_weights_of_another_architecture_raise_value_error(saved, tmp_path):
    _, path = saved
    card_path = tmp_path / "tiny-ablation.json"
    card_path.write_text(json.dumps({**json.loads(card_path.read_text()), "in_channels": 1}))
    with pytest.raises(ValueError, match=f"{path} could not be loaded as a digits_cnn model"):
        zoo.load_pretrained(path)


def test_invalid_card_raises_value_error_naming_it(saved, tmp_path):
    _, path = saved
    (tmp_path / "tiny-ablation.json").write_text("{not json")
    with pytest.raises(ValueError, match="tiny-ablation.json is not a valid JSON model card"):
        zoo.load_pretrained(path)


@pytest.mark.parametrize(
    "edit,match",
    [
        (lambda card: [card], "is not a model card: expected a JSON object, got a list"),
        (
            lambda card: {k: v for k, v in card.items() if k not in ("noise", "arch")},
            "is not a model card: it lacks arch, noise",
        ),
        (
            lambda card: {**card, "noise": {"noise": "ablation", "keep": 0}},
            "has an invalid noise .* \\(ValueError: keep must be an integer >= 1, got 0\\)",
        ),
        (
            lambda card: {**card, "noise": {"noise": "gaussian"}},
            r"has an invalid noise .* \(ValueError: gaussian noise needs its sigma",
        ),
        (lambda card: {**card, "noise": "gaussian"}, "has an invalid noise 'gaussian'"),
    ],
)
def test_a_card_that_is_not_a_model_card_raises_value_error_naming_it(saved, tmp_path, edit, match):
    _, path = saved
    card_path = tmp_path / "tiny-ablation.json"
    card_path.write_text(json.dumps(edit(json.loads(card_path.read_text()))))
    with pytest.raises(ValueError, match=f"{card_path} {match}"):
        zoo.load_pretrained(path)


@pytest.mark.parametrize("name", ["../evil", "a/b", "", "x y", "a\\b", None])
def test_save_takes_only_a_plain_file_stem(tmp_path, name):
    with pytest.raises(ValueError, match="name must be a plain file stem"):
        zoo.save(zoo.build("digits_cnn", 1, 10), name, {}, tmp_path / "out")
    assert not (tmp_path / "evil.pt").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("sigma", [0.25, 0.5, 1.0])
def test_shipped_gaussian_models_load_and_match_their_cards(sigma):
    name = f"fmnist-gaussian-{sigma}"
    assert name in zoo.list_pretrained()
    loaded = zoo.load_pretrained(name, device="cpu")
    card = loaded.card
    assert isinstance(loaded.model, zoo.FashionCNN) and loaded.noise.sigma == sigma
    assert (card["dataset"], card["in_channels"], card["num_classes"]) == ("fashion-mnist", 1, 10)
    assert card["provenance"]["command"].startswith(
        f"rslib train --dataset fashion-mnist --noise gaussian --sigma {sigma}"
    )
    assert card["noisy_accuracy"] > 0.6 and card["clean_accuracy"] > card["noisy_accuracy"]
    assert loaded.model(torch.rand(2, 1, 28, 28)).shape == (2, 10)


@pytest.mark.parametrize("name", [".", "..", ".hidden"])
def test_models_save_refuses_hidden_and_dot_names(name, tmp_path):
    with pytest.raises(ValueError, match="name must not start with '.'"):
        zoo.save(zoo.build("digits_cnn", 1, 10, seed=0), name, {}, tmp_path)
    assert not list(tmp_path.iterdir())
