"""The `rslib` command: `rslib train` (noise-augmented training of a base classifier, saved with its card).

Each subcommand is a pair of functions: `_add_<name>_parser(subparsers)` declares its flags and
`_run_<name>(args)` does the work through the library.
"""
from __future__ import annotations

import argparse
import math
import re
import shlex
import sys

import torch

from rslib import data, device, models, noise, provenance, train

_NOISE_FLAGS = {"gaussian": "sigma", "laplace": "scale", "ablation": "keep"}
_DEFAULT_ARCH = {"fashion-mnist": "fashion_cnn", "digits": "digits_cnn"}


def _float_parser(minimum: float, strict: bool):
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


_positive_float = _float_parser(0.0, strict=True)
_nonnegative_float = _float_parser(0.0, strict=False)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


_MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed and numpy's SeedSequence both take [0, 2**63 - 1]


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= _MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be an integer in [0, 2**63 - 1], got {text!r}")
    return value


def _torch_device(text: str) -> torch.device:
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


def _model_name(text: str) -> str:
    # The name becomes two file names: no folders, no hidden files.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text):
        raise argparse.ArgumentTypeError(f"must be letters, digits, '.', '_' or '-' (a file name stem), got {text!r}")
    return text


def _noise_from_args(args, parser: argparse.ArgumentParser):
    """The smoothing noise named by --noise, with its level from the matching flag (and only that one)."""
    wanted = _NOISE_FLAGS[args.noise]
    for kind, flag in _NOISE_FLAGS.items():
        if kind != args.noise and getattr(args, flag) is not None:
            parser.error(f"argument --{flag}: applies to --noise {kind}, not --noise {args.noise}")
    level = getattr(args, wanted)
    if level is None:
        parser.error(f"argument --{wanted}: required by --noise {args.noise}")
    if args.noise == "ablation":
        _, height, width = data.SHAPES[args.dataset]
        if level > height * width:
            parser.error(f"argument --keep: must be at most the {height * width} pixels of {args.dataset}, got {level}")
        return noise.Ablation(level)
    return {"gaussian": noise.Gaussian, "laplace": noise.Laplace}[args.noise](level)


def _add_train_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a base classifier with noise augmentation",
                              description="Train a base classifier on noisy copies of the training images "
                                          "(Cohen et al. 2019) and save <out-dir>/<name>.pt with its card <name>.json.")
    p.add_argument("--dataset", choices=sorted(_DEFAULT_ARCH), default="fashion-mnist")
    p.add_argument("--arch", choices=sorted(models.ARCHITECTURES), default=None,
                   help="default: fashion_cnn for fashion-mnist, digits_cnn for digits")
    p.add_argument("--noise", choices=list(_NOISE_FLAGS), required=True)
    p.add_argument("--sigma", type=_positive_float, help="Gaussian: standard deviation")
    p.add_argument("--scale", type=_positive_float, help="Laplace: scale (variance 2 scale^2)")
    p.add_argument("--keep", type=_positive_int, help="ablation: number of pixels kept")
    p.add_argument("--epochs", type=_positive_int, default=10)
    p.add_argument("--lr", type=_positive_float, default=0.05, help="initial learning rate")
    p.add_argument("--batch", type=_positive_int, default=128, help="batch size")
    p.add_argument("--optimizer", choices=train.OPTIMIZERS, default="sgd", help="sgd: Nesterov momentum 0.9")
    p.add_argument("--schedule", choices=train.SCHEDULES, default="cosine")
    p.add_argument("--weight-decay", type=_nonnegative_float, default=5e-4)
    p.add_argument("--objective", choices=train.OBJECTIVES, default="noise",
                   help="noise: noise augmentation; type2: plus a signed-gradient step (--adv-step); "
                        "stability: stability training (--stability-weight)")
    p.add_argument("--adv-step", type=_positive_float, default=None, help="type2: size a of the a*sign(grad) step")
    p.add_argument("--stability-weight", type=_positive_float, default=None, help="stability: weight gamma")
    p.add_argument("--seed", type=_seed, default=0,
                   help="seeds the initial weights, shuffling and noise; in [0, 2**63 - 1]")
    p.add_argument("--device", type=_torch_device, default=None, help="default: cuda if available, else cpu")
    p.add_argument("--name", type=_model_name, required=True, help="file name stem of the weights and card")
    p.add_argument("--out-dir", default=str(models.MODELS_DIR), help="default: the repository's data/models")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=_run_train, parser=p)


def _objective_from_args(args, parser) -> dict:
    """train()'s objective keywords; each objective's parameter flag is required by it and refused by the others."""
    needs = {"type2": "adv_step", "stability": "stability_weight"}
    for objective, attr in needs.items():
        flag = "--" + attr.replace("_", "-")
        if args.objective == objective and getattr(args, attr) is None:
            parser.error(f"argument {flag}: required by --objective {objective}")
        if args.objective != objective and getattr(args, attr) is not None:
            parser.error(f"argument {flag}: applies to --objective {objective}, not --objective {args.objective}")
    return {"objective": args.objective, "adversarial_step": args.adv_step or 0.0,
            "stability_weight": args.stability_weight or 0.0}


def _run_train(args) -> None:
    smoothing = _noise_from_args(args, args.parser)
    objective = _objective_from_args(args, args.parser)
    dev = device.default_device() if args.device is None else args.device
    if dev.type == "cpu":
        device.tune_cpu_allocator()
    shape = data.SHAPES[args.dataset]
    arch = args.arch or _DEFAULT_ARCH[args.dataset]
    in_channels, num_classes = smoothing.in_channels(shape[0]), data.NUM_CLASSES[args.dataset]
    model = models.build(arch, in_channels, num_classes, seed=args.seed)
    train_set, test_set = data.load(args.dataset, "train"), data.load(args.dataset, "test")
    summary = train.train(model, train_set, smoothing, args.epochs, args.lr, args.batch, args.seed, dev,
                          optimizer=args.optimizer, schedule=args.schedule, weight_decay=args.weight_decay,
                          progress=not args.quiet, **objective)
    # Ablation models take encoded inputs: "clean" means every pixel kept.
    clean_view = noise.Ablation(shape[1] * shape[2]) if isinstance(smoothing, noise.Ablation) else None
    clean = train.evaluate(model, test_set, clean_view, device=dev)
    noisy = train.evaluate(model, test_set, smoothing, seed=args.seed, device=dev)
    optimizer = "SGD(momentum=0.9, nesterov=True)" if args.optimizer == "sgd" else "AdamW"
    card = {"arch": arch, "dataset": args.dataset, "num_classes": num_classes, "in_channels": in_channels,
            "input_shape": list(shape), "noise": smoothing.params(), "seed": args.seed,
            "training": {"epochs": args.epochs, "lr": args.lr, "batch_size": args.batch, "optimizer": optimizer,
                         "weight_decay": args.weight_decay, "schedule": args.schedule, **objective,
                         "seconds": round(summary["seconds"], 2), "history": summary["history"]},
            "clean_accuracy": clean, "noisy_accuracy": noisy,
            "evaluation": {"split": "test", "size": len(test_set), "noisy": "one noise draw per image, seed "
                           f"{args.seed}", "clean": "every pixel kept" if clean_view else "no noise"},
            "provenance": provenance.provenance(command=args.command_line, device=dev)}
    path = models.save(model, args.name, card, args.out_dir)
    print(f"{args.name}: clean accuracy {clean:.4f}, noisy accuracy {noisy:.4f}, "
          f"training {summary['seconds']:.0f} s -> {path}")


def main(argv=None) -> int:
    """Entry point of the `rslib` console script; argv defaults to sys.argv[1:]."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="rslib", description="Randomized smoothing: train and certify.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_train_parser(subparsers)
    from rslib import cli_certify  # it imports this module's argument types

    cli_certify.add_certify_parser(subparsers)
    cli_certify.add_analyze_parser(subparsers)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["rslib", *argv])  # recorded in cards and results files
    try:
        args.run(args)
    except (ValueError, OSError) as error:  # bad input found once running (a file, a level): no traceback
        args.parser.exit(2, f"{args.parser.prog}: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
