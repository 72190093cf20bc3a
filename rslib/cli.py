"""The `rslib` command: `rslib train` (noise-augmented training of a shipped model).

Each subcommand is a pair of functions: `_add_<name>_parser(subparsers)` declares its flags and
`_run_<name>(args)` does the work through the library.
"""
from __future__ import annotations

import argparse
import math
import sys

from rslib import data, device, models, noise, provenance, train


def _positive_float(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def _noise_from_args(args, parser):
    level = {"gaussian": args.sigma, "laplace": args.scale, "ablation": args.keep}[args.noise]
    if level is None:
        flag = {"gaussian": "--sigma", "laplace": "--scale", "ablation": "--keep"}[args.noise]
        parser.error(f"--noise {args.noise} needs {flag}")
    return {"gaussian": noise.Gaussian, "laplace": noise.Laplace, "ablation": noise.Ablation}[args.noise](level)


def _add_train_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a base classifier with noise augmentation")
    p.add_argument("--dataset", choices=["fashion-mnist", "digits"], default="fashion-mnist")
    p.add_argument("--arch", choices=sorted(models.ARCHITECTURES), default=None,
                   help="default: fashion_cnn for fashion-mnist, digits_cnn for digits")
    p.add_argument("--noise", choices=["gaussian", "laplace", "ablation"], required=True)
    p.add_argument("--sigma", type=_positive_float, help="Gaussian standard deviation")
    p.add_argument("--scale", type=_positive_float, help="Laplace scale lambda")
    p.add_argument("--keep", type=_positive_int, help="ablation: number of pixels kept")
    p.add_argument("--epochs", type=_positive_int, default=10)
    p.add_argument("--lr", type=_positive_float, default=0.05)
    p.add_argument("--batch", type=_positive_int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", required=True, help="file name stem of the weights and card")
    p.add_argument("--out-dir", default=str(models.MODELS_DIR))
    p.set_defaults(run=_run_train, parser=p)


def _run_train(args) -> None:
    smoothing = _noise_from_args(args, args.parser)
    dev = device.default_device()
    device.tune_cpu_allocator()
    arch = args.arch or ("fashion_cnn" if args.dataset == "fashion-mnist" else "digits_cnn")
    in_channels = smoothing.in_channels(data.INPUT_SHAPES[args.dataset][0])
    num_classes = data.NUM_CLASSES[args.dataset]
    model = models.build(arch, in_channels, num_classes)
    train_set, test_set = data.load(args.dataset, "train"), data.load(args.dataset, "test")
    summary = train.train(model, train_set, smoothing, args.epochs, args.lr, args.batch, args.seed, dev)
    clean = None if isinstance(smoothing, noise.Ablation) else train.evaluate(model, test_set, None, device=dev)
    noisy = train.evaluate(model, test_set, smoothing, seed=args.seed, device=dev)
    card = {"arch": arch, "dataset": args.dataset, "num_classes": num_classes, "in_channels": in_channels,
            "input_shape": list(data.INPUT_SHAPES[args.dataset]), "noise": smoothing.params(),
            "training": {"epochs": args.epochs, "lr": args.lr, "batch_size": args.batch,
                         "optimizer": "SGD(momentum=0.9, nesterov, weight_decay=5e-4)", "schedule": "cosine",
                         "seconds": round(summary["seconds"], 1), "final_loss": summary["final_loss"]},
            "seed": args.seed, "clean_accuracy": clean, "noisy_accuracy": noisy,
            "provenance": provenance.provenance(device=dev)}
    path = models.save(model, args.name, card, args.out_dir)
    print(f"{args.name}: clean accuracy {clean}, noisy accuracy {noisy:.4f}, {summary['seconds']:.0f} s -> {path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="rslib", description="Randomized smoothing: train and certify.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_train_parser(subparsers)
    args = parser.parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
