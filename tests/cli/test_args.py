"""Argument types shared by the commands (rslib.cli._args): each takes what it should and refuses bad input naming
the rule."""

import argparse
import contextlib
import io

import pytest
import torch

from rslib import cli, smoothing
from rslib.cli import _args


def _main(*argv):
    """(exit status, stdout, stderr) of `rslib argv` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(list(argv))
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_a_missing_gpu_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    status, _, err = _main("train", "--noise", "gaussian", "--sigma", "0.5", "--name", "t", "--device", "cuda")
    assert (
        status == 2
        and "rslib train: error: argument --device: must be cpu or a GPU of this machine (none), got 'cuda'" in err
    )


def _refused(parse, text) -> str:
    with pytest.raises(argparse.ArgumentTypeError) as refusal:
        parse(text)
    return str(refusal.value)


def test_float_parsers_take_finite_numbers_beyond_their_minimum():
    assert _args.positive_float("0.25") == 0.25 and _args.nonnegative_float("0") == 0.0
    assert _refused(_args.positive_float, "0") == "must be a finite number > 0, got '0'"
    assert _refused(_args.positive_float, "abc") == "must be a number > 0, got 'abc'"
    for text in ("nan", "inf", "-1e-9"):
        assert _refused(_args.nonnegative_float, text) == f"must be a finite number >= 0, got '{text}'"
    assert _args.float_parser(1.0, strict=False)("1") == 1.0


def test_positive_integers_and_seeds():
    assert _args.positive_int("3") == 3
    for text in ("0", "-2", "1.5", "x"):
        assert _refused(_args.positive_int, text) == f"must be an integer >= 1, got '{text}'"
    assert _args.seed("0") == 0 and _args.seed(str(2**63 - 1)) == 2**63 - 1
    for text in ("-1", str(2**63), "1e3", ""):
        assert _refused(_args.seed, text) == f"must be an integer in [0, 2**63 - 1], got '{text}'"


def test_a_device_is_the_cpu_or_a_gpu_this_machine_has(monkeypatch):
    assert _args.torch_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert _args.torch_device("cuda:1") == torch.device("cuda:1") and _args.torch_device("cuda").type == "cuda"
    for text in ("cuda:2", "meta", "gpu0"):
        assert _refused(_args.torch_device, text) == (
            f"must be cpu or a GPU of this machine (cuda, cuda:0 to cuda:1), got '{text}'"
        )


def test_a_model_name_is_a_plain_file_stem():
    assert _args.model_name("fmnist-gaussian_0.25") == "fmnist-gaussian_0.25"
    for text in ("../evil", ".hidden", "a/b", "a b", ""):
        assert _refused(_args.model_name, text).startswith("must be letters, digits, '.', '_' or '-'")


def _noise(capsys, **flags):
    args = argparse.Namespace(**{"dataset": "digits", "sigma": None, "scale": None, "keep": None, **flags})
    try:
        return _args.noise_from_args(args, argparse.ArgumentParser(prog="rslib train"))
    except SystemExit as exc:
        assert exc.code == 2
        return capsys.readouterr().err.splitlines()[-1]


def test_the_noise_takes_its_own_level_and_only_that(capsys):
    assert _noise(capsys, noise="gaussian", sigma=0.5).params() == smoothing.Gaussian(0.5).params()
    assert _noise(capsys, noise="laplace", scale=0.3).params() == smoothing.Laplace(0.3).params()
    assert _noise(capsys, noise="ablation", keep=64).params() == smoothing.Ablation(64).params()
    assert _noise(capsys, noise="gaussian", sigma=0.5, scale=0.3) == (
        "rslib train: error: argument --scale: applies to --noise laplace, not --noise gaussian"
    )
    assert _noise(capsys, noise="laplace") == "rslib train: error: argument --scale: required by --noise laplace"
    assert _noise(capsys, noise="ablation", keep=65) == (
        "rslib train: error: argument --keep: must be at most the 64 pixels of digits, got 65"
    )
