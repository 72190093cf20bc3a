"""`rslib train`: noise-augmented training of a base classifier, saved with its card. For example::

    rslib train --dataset fashion-mnist --noise gaussian --sigma 0.25 --epochs 12 --name fmnist-gaussian-0.25

It writes <name>.pt and its card <name>.json (noise, data, training, accuracies, provenance) to --out-dir, by default
the folder models are looked up in by name.
"""

from __future__ import annotations

import argparse

from rslib import results, smoothing, zoo
from rslib.cli._args import (
    NOISE_FLAGS,
    model_name,
    noise_from_args,
    nonnegative_float,
    positive_float,
    positive_int,
    seed,
    torch_device,
)

__all__ = ["add_parser", "run"]

DEFAULT_ARCH = {"fashion-mnist": "fashion_cnn", "digits": "digits_cnn"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` command, its arguments and its `run`, to the ``rslib`` command's subparsers."""
    p = subparsers.add_parser(
        "train",
        help="train a base classifier with noise augmentation",
        description="Train a base classifier on noisy copies of the training images "
        "(Cohen et al. 2019) and save <out-dir>/<name>.pt with its card <name>.json.",
    )
    p.add_argument("--dataset", choices=sorted(DEFAULT_ARCH), default="fashion-mnist")
    p.add_argument(
        "--arch",
        choices=sorted(zoo.ARCHITECTURES),
        default=None,
        help="default: fashion_cnn for fashion-mnist, digits_cnn for digits",
    )
    p.add_argument("--noise", choices=list(NOISE_FLAGS), required=True)
    p.add_argument("--sigma", type=positive_float, help="Gaussian: standard deviation")
    p.add_argument("--scale", type=positive_float, help="Laplace: scale (variance 2 scale^2)")
    p.add_argument("--keep", type=positive_int, help="ablation: number of pixels kept")
    p.add_argument("--epochs", type=positive_int, default=10)
    p.add_argument("--lr", type=positive_float, default=0.05, help="initial learning rate")
    p.add_argument("--batch", type=positive_int, default=128, help="batch size")
    p.add_argument("--optimizer", choices=zoo.OPTIMIZERS, default="sgd", help="sgd: Nesterov momentum 0.9")
    p.add_argument("--schedule", choices=zoo.SCHEDULES, default="cosine")
    p.add_argument("--weight-decay", type=nonnegative_float, default=5e-4)
    p.add_argument(
        "--objective",
        choices=zoo.OBJECTIVES,
        default="noise",
        help="noise: noise augmentation; type2: plus a signed-gradient step (--adv-step); "
        "stability: stability training (--stability-weight)",
    )
    p.add_argument("--adv-step", type=positive_float, default=None, help="type2: size a of the a*sign(grad) step")
    p.add_argument("--stability-weight", type=positive_float, default=None, help="stability: weight gamma")
    p.add_argument(
        "--seed", type=seed, default=0, help="seeds the initial weights, shuffling and noise; in [0, 2**63 - 1]"
    )
    p.add_argument("--device", type=torch_device, default=None, help="default: cuda if available, else cpu")
    p.add_argument("--name", type=model_name, required=True, help="file name stem of the weights and card")
    p.add_argument(
        "--out-dir",
        default=None,
        help="default: where models are looked up by name ($RSLIB_MODELS, else the models shipped inside rslib)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run, parser=p)


def _objective_from_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict:
    """train()'s objective keywords; each objective's parameter flag is required by it and refused by the others."""
    needs = {"type2": "adv_step", "stability": "stability_weight"}
    for objective, attr in needs.items():
        flag = "--" + attr.replace("_", "-")
        if args.objective == objective and getattr(args, attr) is None:
            parser.error(f"argument {flag}: required by --objective {objective}")
        if args.objective != objective and getattr(args, attr) is not None:
            parser.error(f"argument {flag}: applies to --objective {objective}, not --objective {args.objective}")
    return {
        "objective": args.objective,
        "adversarial_step": args.adv_step or 0.0,
        "stability_weight": args.stability_weight or 0.0,
    }


def run(args: argparse.Namespace) -> None:
    """Train the model that the arguments describe on noisy copies of the training set (`rslib.zoo.train`),
    measure its clean and noisy test accuracy, and save its weights with a card that records the command,
    data, noise, training, accuracies and provenance (`rslib.zoo.save`)."""
    noise = noise_from_args(args, args.parser)
    objective = _objective_from_args(args, args.parser)
    dev = smoothing.default_device() if args.device is None else args.device
    if dev.type == "cpu":
        smoothing.tune_cpu_allocator()
    shape = zoo.SHAPES[args.dataset]
    arch = args.arch or DEFAULT_ARCH[args.dataset]
    in_channels, num_classes = noise.in_channels(shape[0]), zoo.NUM_CLASSES[args.dataset]
    model = zoo.build(arch, in_channels, num_classes, seed=args.seed)
    train_set, test_set = zoo.load_dataset(args.dataset, "train"), zoo.load_dataset(args.dataset, "test")
    summary = zoo.train(
        model,
        train_set,
        noise,
        args.epochs,
        args.lr,
        args.batch,
        args.seed,
        dev,
        optimizer=args.optimizer,
        schedule=args.schedule,
        weight_decay=args.weight_decay,
        progress=not args.quiet,
        **objective,
    )
    # Ablation models take encoded inputs: "clean" means every pixel kept.
    clean_view = smoothing.Ablation(shape[1] * shape[2]) if isinstance(noise, smoothing.Ablation) else None
    clean = zoo.evaluate(model, test_set, clean_view, device=dev)
    noisy = zoo.evaluate(model, test_set, noise, seed=args.seed, device=dev)
    optimizer = "SGD(momentum=0.9, nesterov=True)" if args.optimizer == "sgd" else "AdamW"
    card = {
        "arch": arch,
        "dataset": args.dataset,
        "num_classes": num_classes,
        "in_channels": in_channels,
        "input_shape": list(shape),
        "noise": noise.params(),
        "seed": args.seed,
        "training": {
            "epochs": args.epochs,
            "lr": args.lr,
            "batch_size": args.batch,
            "optimizer": optimizer,
            "weight_decay": args.weight_decay,
            "schedule": args.schedule,
            **objective,
            "seconds": round(summary["seconds"], 2),
            "history": summary["history"],
        },
        "clean_accuracy": clean,
        "noisy_accuracy": noisy,
        "evaluation": {
            "split": "test",
            "size": len(test_set),
            "noisy": f"one noise draw per image, seed {args.seed}",
            "clean": "every pixel kept" if clean_view else "no noise",
        },
        "provenance": results.provenance(command=args.command_line, device=dev),
    }
    path = zoo.save(model, args.name, card, args.out_dir)
    print(
        f"{args.name}: clean accuracy {clean:.4f}, noisy accuracy {noisy:.4f}, "
        f"training {summary['seconds']:.0f} s -> {path}"
    )
