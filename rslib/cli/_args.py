"""Argument types and helpers shared by the commands: each refuses bad input with a message naming the rule."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

import torch

from rslib._seeds import SEED_MAX
from rslib.smoothing import Ablation, Gaussian, Laplace, Noise
from rslib.zoo import SHAPES

__all__ = ["NOISE_FLAGS", "float_parser", "positive_int", "seed", "torch_device", "model_name", "noise_from_args"]

NOISE_FLAGS = {"gaussian": "sigma", "laplace": "scale", "ablation": "keep"}


def float_parser(minimum: float, strict: bool) -> Callable[[str], float]:
    """An argparse type: a finite float > minimum (strict) or >= minimum, else a message naming the rule."""
    rule = f"{'>' if strict else '>='} {minimum:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number {rule}, got {text!r}") from None
        if not (math.isfinite(value) and (value > minimum if strict else value >= minimum)):
            raise argparse.ArgumentTypeError(f"must be a finite number {rule}, got {text!r}")
        return value

    return parse


positive_float = float_parser(0.0, strict=True)
nonnegative_float = float_parser(0.0, strict=False)


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1, else a message naming the rule."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def seed(text: str) -> int:
    """An argparse type: a seed, an integer in [0, 2**63 - 1], else a message naming the rule."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 2**63 - 1], got {text!r}")
    return value


def torch_device(text: str) -> torch.device:
    """cpu or a GPU this machine has: a missing GPU or a fake device (meta) would fail later with a raw torch
    message, or (meta) compute nothing at all."""
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    gpus = "none" if count == 0 else "cuda, cuda:0" if count == 1 else f"cuda, cuda:0 to cuda:{count - 1}"
    refused = argparse.ArgumentTypeError(f"must be cpu or a GPU of this machine ({gpus}), got {text!r}")
    try:
        dev = torch.device(text)
    except RuntimeError:
        raise refused from None
    if dev.type == "cpu" or (dev.type == "cuda" and (dev.index or 0) < count):
        return dev
    raise refused


def model_name(text: str) -> str:
    """An argparse type: a model name, which becomes two file names (no folders, no hidden files)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text):
        raise argparse.ArgumentTypeError(f"must be letters, digits, '.', '_' or '-' (a file name stem), got {text!r}")
    return text


def noise_from_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Noise:
    """The smoothing noise named by --noise, with its level from the matching flag (and only that one)."""
    wanted = NOISE_FLAGS[args.noise]
    for kind, flag in NOISE_FLAGS.items():
        if kind != args.noise and getattr(args, flag) is not None:
            parser.error(f"argument --{flag}: applies to --noise {kind}, not --noise {args.noise}")
    level = getattr(args, wanted)
    if level is None:
        parser.error(f"argument --{wanted}: required by --noise {args.noise}")
    if args.noise == "ablation":
        _, height, width = SHAPES[args.dataset]
        if level > height * width:
            parser.error(f"argument --keep: must be at most the {height * width} pixels of {args.dataset}, got {level}")
        return Ablation(level)
    return {"gaussian": Gaussian, "laplace": Laplace}[args.noise](level)
