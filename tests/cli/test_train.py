"""`rslib train` (rslib.cli.train) end to end on the 8x8 digits, and its argument errors."""

import hashlib
import json

import pytest

from rslib import cli, zoo


def test_train_writes_weights_and_a_complete_card(tmp_path, capsys):
    argv = [
        "train",
        "--dataset",
        "digits",
        "--noise",
        "gaussian",
        "--sigma",
        "0.25",
        "--epochs",
        "6",
        "--lr",
        "0.05",
        "--batch",
        "64",
        "--seed",
        "3",
        "--name",
        "digits-g",
        "--out-dir",
        str(tmp_path),
        "--quiet",
    ]
    assert cli.main(argv) == 0
    assert "digits-g: clean accuracy" in capsys.readouterr().out
    weights, card = tmp_path / "digits-g.pt", json.loads((tmp_path / "digits-g.json").read_text())
    assert card["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert {k: card[k] for k in ("name", "arch", "dataset", "num_classes", "in_channels", "seed")} == {
        "name": "digits-g",
        "arch": "digits_cnn",
        "dataset": "digits",
        "num_classes": 10,
        "in_channels": 1,
        "seed": 3,
    }
    assert card["noise"] == {"noise": "gaussian", "sigma": 0.25}
    training = card["training"]
    assert (training["epochs"], training["lr"], training["batch_size"]) == (6, 0.05, 64)
    assert training["optimizer"].startswith("SGD") and training["schedule"] == "cosine"
    assert len(training["history"]) == 6 and training["seconds"] > 0
    assert card["clean_accuracy"] > 0.85 and 0.7 < card["noisy_accuracy"] <= 1
    prov = card["provenance"]
    assert prov["command"] == "rslib " + " ".join(argv)
    assert set(prov["versions"]) >= {"python", "torch", "torchvision", "numpy", "scipy", "rslib"}
    assert prov["date"].endswith("+00:00") and prov["device"].startswith(("cpu", "cuda"))
    loaded = zoo.load_pretrained(weights, device="cpu")
    assert loaded.noise.sigma == 0.25 and loaded.card == card


def test_train_ablation_records_in_channels_and_clean_view(tmp_path):
    cli.main(
        [
            "train",
            "--dataset",
            "digits",
            "--noise",
            "ablation",
            "--keep",
            "40",
            "--epochs",
            "2",
            "--batch",
            "64",
            "--name",
            "digits-a",
            "--out-dir",
            str(tmp_path),
            "--quiet",
        ]
    )
    card = json.loads((tmp_path / "digits-a.json").read_text())
    assert card["in_channels"] == 2 and card["noise"] == {"noise": "ablation", "keep": 40}
    assert card["evaluation"]["clean"] == "every pixel kept"


@pytest.mark.parametrize(
    "extra, flag",
    [
        (["--noise", "gaussian", "--sigma", "-1"], "--sigma"),
        (["--noise", "gaussian", "--sigma", "abc"], "--sigma"),
        (["--noise", "gaussian"], "--sigma"),
        (["--noise", "gaussian", "--sigma", "0.5", "--scale", "0.3"], "--scale"),
        (["--noise", "laplace", "--scale", "0"], "--scale"),
        (["--noise", "ablation", "--keep", "65"], "--keep"),
        (["--noise", "gaussian", "--sigma", "0.5", "--epochs", "0"], "--epochs"),
        (["--noise", "gaussian", "--sigma", "0.5", "--batch", "1.5"], "--batch"),
        (["--noise", "gaussian", "--sigma", "0.5", "--lr", "nan"], "--lr"),
        (["--noise", "uniform"], "--noise"),
        (["--noise", "gaussian", "--sigma", "0.5", "--dataset", "mnist"], "--dataset"),
        (["--noise", "gaussian", "--sigma", "0.5", "--device", "gpu0"], "--device"),
    ],
)
def test_bad_arguments_fail_naming_the_flag(tmp_path, capsys, extra, flag):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--dataset", "digits", "--name", "x", "--out-dir", str(tmp_path), *extra])
    assert info.value.code == 2
    assert f"argument {flag}" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["../escape", ".hidden", "a/b", ""])
def test_model_name_must_be_a_file_stem(tmp_path, capsys, name):
    with pytest.raises(SystemExit):
        cli.main(
            [
                "train",
                "--dataset",
                "digits",
                "--noise",
                "gaussian",
                "--sigma",
                "0.5",
                "--name",
                name,
                "--out-dir",
                str(tmp_path),
            ]
        )
    assert "argument --name" in capsys.readouterr().err
