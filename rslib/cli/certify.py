"""`rslib certify`: certify a dataset with a smoothed model into a resumable results file. For example::

    rslib certify --model fmnist-gaussian-0.5 --N0 100 --N 100000 --alpha 0.001 --max 500 --out run.tsv
    rslib certify --checkpoint models/cifar10/resnet110/noise_0.25/checkpoint.pth.tar --sigma 0.25 --out c.tsv

Certification is resumable: the same command after a kill continues after the last finished row. Under
`torchrun` (e.g. `torchrun --nproc_per_node 4 -m rslib certify ... --max-inputs 1000`), each process certifies
every WORLD_SIZE-th input into its own shard and rank 0 merges the shards; per-input seeds make the rows
identical whatever the number of processes.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import inspect
import os
import stat
import sys
from pathlib import Path

import torch

from rslib import results, smoothing, zoo
from rslib.cli._args import NOISE_FLAGS, noise_from_args, positive_float, positive_int, seed, torch_device

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``certify`` command, its arguments and its `run`, to the ``rslib`` command's subparsers."""
    p = subparsers.add_parser("certify", help="certify a dataset with a smoothed model into a results TSV")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a shipped model name (see data/models) or a path to its .pt with its card")
    source.add_argument("--checkpoint", type=Path, help="a checkpoint released by Cohen et al. (needs --sigma)")
    source.add_argument(
        "--factory",
        help="package.module:function returning a ready model (needs --noise, "
        "--dataset). This imports and runs that code, as Python would: give "
        "only code you trust. The current directory is on the import path "
        "(as with python -m); the sha256 of the module's source file is "
        "recorded, so a resume after that file changed is refused",
    )
    p.add_argument("--noise", choices=list(NOISE_FLAGS), help="override the model card's noise")
    p.add_argument("--sigma", type=positive_float)
    p.add_argument("--scale", type=positive_float)
    p.add_argument("--keep", type=positive_int)
    p.add_argument("--dataset", choices=list(zoo.NUM_CLASSES), default=None, help="default: the model card's dataset")
    p.add_argument("--split", choices=["train", "test"], default="test")
    p.add_argument(
        "--data-root",
        type=Path,
        help="where the dataset is: fashion-mnist's *-ubyte.gz files, cifar10's "
        "cifar-10-batches-py, imagenet's train/ and val/ (default: rslib's cache)",
    )
    p.add_argument("--download", action="store_true", help="fashion-mnist, cifar10: download when missing (internet)")
    p.add_argument("--N0", type=positive_int, default=100, help="samples that select the top class")
    p.add_argument("--N", type=positive_int, default=100_000, help="samples that bound its probability")
    p.add_argument("--alpha", type=positive_float, default=0.001, help="failure probability, in (0, 1)")
    p.add_argument("--bound", choices=["binary", "simultaneous"], default="binary")
    p.add_argument("--batch", type=positive_int, default=1000)
    p.add_argument(
        "--pack",
        type=positive_int,
        default=1,
        help="certify this many inputs together so batches stay full (changes no input's samples)",
    )
    p.add_argument("--skip", type=positive_int, default=1, help="certify every skip-th input")
    p.add_argument(
        "--max",
        "--max-inputs",
        dest="max",
        type=_inputs,
        default=-1,
        help="stop after this many inputs (-1: all); under torchrun write --max-inputs, since torchrun "
        "takes --max for an abbreviation of its own --max-restarts",
    )
    p.add_argument("--seed", type=seed, default=0, help="in [0, 2**63 - 1]")
    p.add_argument(
        "--precision",
        choices=["fp32", "bf16", "fp16"],
        default="fp32",
        help="autocast precision of the base classifier (the certificate is for the model so run)",
    )
    p.add_argument(
        "--compile",
        choices=["default", "reduce-overhead", "max-autotune"],
        default=None,
        help="torch.compile the model (reduce-overhead: CUDA graphs on a GPU)",
    )
    p.add_argument(
        "--no-channels-last",
        dest="channels_last",
        action="store_false",
        help="keep the default memory layout (channels_last changes no vote)",
    )
    p.add_argument("--device", type=torch_device, default=None)
    p.add_argument(
        "--out",
        required=True,
        type=_results_path,
        help="results TSV (appended to when it exists; locked while the run writes it)",
    )
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(run=run, parser=p)


def _results_path(text: str) -> Path:
    """--out: a regular file or a new one (a device or a folder would swallow or refuse the rows)."""
    path = Path(text)
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise argparse.ArgumentTypeError(f"must be a regular file (a results TSV), got {text!r}")
    return path


def _inputs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -2
    if value < -1:
        raise argparse.ArgumentTypeError(f"must be -1 (all inputs) or an integer >= 0, got {text!r}")
    return value


def _model(args, dev):
    """(name, model, card-like dict) from --model, --checkpoint or --factory."""
    if args.model:
        pre = zoo.load_pretrained(args.model, device=dev)
        return pre.name, pre.model, pre.card
    if args.checkpoint:
        if args.noise not in (None, "gaussian") or args.sigma is None:
            args.parser.error("argument --checkpoint: Cohen et al.'s models are Gaussian: give --sigma")
        model, info = zoo.load_checkpoint(args.checkpoint, device=dev)
        args.noise = "gaussian"
        return str(args.checkpoint), model, {"dataset": info["dataset"], "sha256": _sha256(args.checkpoint)}
    module_name, _, function = args.factory.partition(":")
    if not module_name or not function:
        args.parser.error(f"argument --factory: expected package.module:function, got {args.factory!r}")
    if args.noise is None or args.dataset is None:
        args.parser.error("argument --factory: needs --noise (with its level) and --dataset")
    if os.getcwd() not in sys.path:  # as `python -m` does, so a mymod.py beside the user is found
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
        factory = getattr(module, function)
    except (ImportError, AttributeError) as error:
        args.parser.error(f"argument --factory: cannot load {args.factory!r} ({error})")
    model = factory()
    if not isinstance(model, torch.nn.Module):
        args.parser.error(
            f"argument --factory: {args.factory} must return a torch.nn.Module, got {type(model).__name__}"
        )
    return args.factory, model.to(dev).eval(), {"dataset": args.dataset, "sha256": _source_sha256(module)}


def _source_sha256(module) -> str | None:
    """sha256 of the factory module's source file (None for a module without one): the factory's weights
    live in its code, so this is what identifies the model in the results file (its imports are not hashed)."""
    try:
        source = inspect.getsourcefile(module) or getattr(module, "__file__", None)
    except TypeError:  # a built-in module
        source = None
    return _sha256(source) if source and os.path.isfile(source) else None


def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _data_options(args, dataset_name: str) -> dict:
    """Keyword arguments of the dataset's loader from --data-root and --download (refused where they do not apply)."""
    accepted = {
        "fashion-mnist": ("data_root", "download"),
        "cifar10": ("data_root", "download"),
        "imagenet": ("data_root",),
    }.get(dataset_name, ())
    for flag in ("data_root", "download"):
        if getattr(args, flag) and flag not in accepted:
            args.parser.error(f"argument --{flag.replace('_', '-')}: does not apply to --dataset {dataset_name}")
    return {{"data_root": "root"}.get(flag, flag): getattr(args, flag) for flag in accepted}


def _smoothing(args, card):
    """The card's noise, or the one --noise names with its level (a level flag alone would be ignored: refused)."""
    if args.noise is not None:
        return noise_from_args(args, args.parser)
    for kind, flag in NOISE_FLAGS.items():
        if getattr(args, flag) is not None:
            args.parser.error(
                f"argument --{flag}: needs --noise {kind} (without --noise the model's own noise, "
                f"{smoothing.from_params(card['noise'])!r}, is used)"
            )
    return smoothing.from_params(card["noise"])


def _check_dataset(args, card) -> str:
    """--dataset, or the model's; refused when its images do not have the shape the model was trained on."""
    trained_on = card.get("dataset")
    if args.dataset is None:
        return trained_on
    if trained_on in zoo.SHAPES and zoo.SHAPES[args.dataset] != zoo.SHAPES[trained_on]:
        args.parser.error(
            f"argument --dataset: the model takes {trained_on} images of shape "
            f"{zoo.SHAPES[trained_on]}; {args.dataset} has {zoo.SHAPES[args.dataset]}"
        )
    return args.dataset


def _distributed():
    """(rank, world size) under torchrun, else (0, 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not torch.distributed.is_initialized():
        torch.distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return int(os.environ.get("RANK", "0")), world


def run(args: argparse.Namespace) -> None:
    """Load the model and dataset the arguments name, certify every skip-th input (up to --max) into the results file
    (`rslib.smoothing.certify_dataset`, resuming a killed run; under torchrun one shard per process, merged by
    rank 0), and print how many inputs the file holds with the certified accuracy at radius 0."""
    if not 0 < args.alpha < 1:
        args.parser.error(f"argument --alpha: must lie in (0, 1), got {args.alpha}")
    rank, world = _distributed()
    dev = args.device or (
        torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0))) if torch.cuda.is_available() else torch.device("cpu")
    )
    if dev.type == "cpu":
        smoothing.tune_cpu_allocator()
    name, model, card = _model(args, dev)
    dataset_name = args.dataset = _check_dataset(args, card)
    noise = _smoothing(args, card)
    dataset = zoo.load_dataset(dataset_name, args.split, **_data_options(args, dataset_name))
    indices = list(range(0, len(dataset), args.skip))
    if args.max >= 0:
        indices = indices[: args.max]
    smoothed = smoothing.Smoothed(
        model,
        noise,
        num_classes=zoo.NUM_CLASSES[dataset_name],
        device=dev,
        channels_last=args.channels_last,
        precision=args.precision,
        compile=args.compile,
    )
    params = {
        "model": name,
        "model_sha256": card.get("sha256"),
        "dataset": dataset_name,
        "split": args.split,
        "skip": args.skip,
        "max": args.max,
        "bound": args.bound,
        "precision": args.precision,
        "compile": args.compile,
    }
    if args.data_root is not None:  # another copy of the data is another experiment
        params["data_root"] = str(args.data_root.resolve())
    record = results.provenance(command=args.command_line, device=dev)
    shard = args.out if world == 1 else args.out.with_name(f"{args.out.name}.rank{rank}-of-{world}")
    # Under torchrun rank 0 holds --out from the start to the merge, so no other run can write it meanwhile;
    # each rank's shard (and a single process's --out) is locked by certify_dataset while it is written.
    holding = results.locked(args.out) if world > 1 and rank == 0 else contextlib.nullcontext()
    with holding:
        smoothing.certify_dataset(
            smoothed,
            dataset,
            indices[rank::world],
            args.N0,
            args.N,
            args.alpha,
            batch_size=args.batch,
            seed=args.seed,
            out=shard,
            params=params,
            provenance=record,
            progress=not args.quiet,
            bound=args.bound,
            pack=args.pack,
        )
        if world > 1:
            torch.distributed.barrier()
            if rank == 0:
                shards = [args.out.with_name(f"{args.out.name}.rank{r}-of-{world}") for r in range(world)]
                results.merge(shards, args.out)
            torch.distributed.barrier()
    if rank == 0:
        done = results.read(args.out)
        accuracy = (
            f", certified accuracy at radius 0: {results.format_down(done.certified_accuracy([0.0])[0], 4, total=len(done))}"
            if len(done)
            else ""
        )
        print(f"{args.out}: {len(done)} inputs{accuracy}")
