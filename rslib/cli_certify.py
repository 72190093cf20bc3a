"""`rslib certify` and `rslib analyze`: certify a dataset into a resumable results file, and summarise files.

    rslib certify --model fmnist-gaussian-0.5 --N0 100 --N 100000 --alpha 0.001 --max 500 --out run.tsv
    rslib certify --checkpoint models/cifar10/resnet110/noise_0.25/checkpoint.pth.tar --sigma 0.25 --out c.tsv
    rslib analyze run.tsv other.tsv --radii 0 0.25 0.5 1.0 --plot curves.html

Certification is resumable: the same command after a kill continues after the last finished row. Under
`torchrun` (e.g. `torchrun --nproc_per_node 4 -m rslib.cli certify ... --max-inputs 1000`), each process certifies every WORLD_SIZE-th input into its own shard and rank 0 merges the shards;
per-input seeds make the rows identical whatever the number of processes.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import os
from pathlib import Path

import numpy as np
import torch

from rslib import certify, cohen, data, device, models, noise, provenance, results
from rslib.cli import _NOISE_FLAGS, _positive_float, _positive_int, _torch_device
from rslib.smooth import Smoothed


def add_certify_parser(subparsers) -> None:
    p = subparsers.add_parser("certify", help="certify a dataset with a smoothed model into a results TSV")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a shipped model name (see data/models) or a path to its .pt with its card")
    source.add_argument("--checkpoint", type=Path, help="a checkpoint released by Cohen et al. (needs --sigma)")
    source.add_argument("--factory", help="package.module:function returning a ready model (needs --noise, "
                                          "--dataset)")
    p.add_argument("--noise", choices=list(_NOISE_FLAGS), help="override the model card's noise")
    p.add_argument("--sigma", type=_positive_float)
    p.add_argument("--scale", type=_positive_float)
    p.add_argument("--keep", type=_positive_int)
    p.add_argument("--dataset", default=None, help="default: the model card's dataset")
    p.add_argument("--split", choices=["train", "test"], default="test")
    p.add_argument("--N0", type=_positive_int, default=100, help="samples that select the top class")
    p.add_argument("--N", type=_positive_int, default=100_000, help="samples that bound its probability")
    p.add_argument("--alpha", type=_positive_float, default=0.001, help="failure probability, in (0, 1)")
    p.add_argument("--bound", choices=["binary", "simultaneous"], default="binary")
    p.add_argument("--batch", type=_positive_int, default=1000)
    p.add_argument("--pack", type=_positive_int, default=1,
                   help="certify this many inputs together so batches stay full (changes no input's samples)")
    p.add_argument("--skip", type=_positive_int, default=1, help="certify every skip-th input")
    p.add_argument("--max", "--max-inputs", dest="max", type=int, default=-1,
                   help="stop after this many inputs (-1: all); under torchrun write --max-inputs, since torchrun "
                        "takes --max for an abbreviation of its own --max-restarts")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32",
                   help="autocast precision of the base classifier (the certificate is for the model so run)")
    p.add_argument("--compile", choices=["default", "reduce-overhead", "max-autotune"], default=None,
                   help="torch.compile the model (reduce-overhead: CUDA graphs on a GPU)")
    p.add_argument("--no-channels-last", dest="channels_last", action="store_false",
                   help="keep the default memory layout (channels_last changes no vote)")
    p.add_argument("--device", type=_torch_device, default=None)
    p.add_argument("--out", required=True, type=Path, help="results TSV (appended to when it exists)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(run=run_certify, parser=p)


def _model(args, dev):
    """(name, model, card-like dict) from --model, --checkpoint or --factory."""
    if args.model:
        pre = models.load_pretrained(args.model, device=dev)
        return pre.name, pre.model, pre.card
    if args.checkpoint:
        if args.noise not in (None, "gaussian") or args.sigma is None:
            args.parser.error("argument --checkpoint: Cohen et al.'s models are Gaussian: give --sigma")
        model, info = cohen.load_checkpoint(args.checkpoint, device=dev)
        args.noise = "gaussian"
        return str(args.checkpoint), model, {"dataset": info["dataset"], "sha256": _sha256(args.checkpoint)}
    module_name, _, function = args.factory.partition(":")
    if not module_name or not function:
        args.parser.error(f"argument --factory: expected package.module:function, got {args.factory!r}")
    if args.noise is None or args.dataset is None:
        args.parser.error("argument --factory: needs --noise (with its level) and --dataset")
    model = getattr(importlib.import_module(module_name), function)().to(dev).eval()
    return args.factory, model, {"dataset": args.dataset}


def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _smoothing(args, card):
    if args.noise is None:
        return noise.from_params(card["noise"])
    level = getattr(args, _NOISE_FLAGS[args.noise])
    if level is None:
        args.parser.error(f"argument --{_NOISE_FLAGS[args.noise]}: required by --noise {args.noise}")
    return {"gaussian": noise.Gaussian, "laplace": noise.Laplace, "ablation": noise.Ablation}[args.noise](level)


def _distributed():
    """(rank, world size) under torchrun, else (0, 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not torch.distributed.is_initialized():
        torch.distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return int(os.environ.get("RANK", "0")), world


def run_certify(args) -> None:
    if not 0 < args.alpha < 1:
        args.parser.error(f"argument --alpha: must lie in (0, 1), got {args.alpha}")
    rank, world = _distributed()
    dev = args.device or (torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0))) if torch.cuda.is_available()
                          else torch.device("cpu"))
    if dev.type == "cpu":
        device.tune_cpu_allocator()
    name, model, card = _model(args, dev)
    smoothing = _smoothing(args, card)
    dataset_name = args.dataset or card["dataset"]
    dataset = data.load(dataset_name, args.split)
    indices = list(range(0, len(dataset), args.skip))
    if args.max >= 0:
        indices = indices[: args.max]
    smoothed = Smoothed(model, smoothing, num_classes=data.NUM_CLASSES[dataset_name], device=dev,
                        channels_last=args.channels_last, precision=args.precision, compile=args.compile)
    params = {"model": name, "model_sha256": card.get("sha256"), "dataset": dataset_name,
              "split": args.split, "skip": args.skip, "max": args.max, "bound": args.bound,
              "precision": args.precision, "compile": args.compile}
    record = provenance.provenance(command=args.command_line, device=dev)
    shard = args.out if world == 1 else args.out.with_name(f"{args.out.name}.rank{rank}-of-{world}")
    certify.certify_dataset(smoothed, dataset, indices[rank::world], args.N0, args.N, args.alpha, args.batch,
                            args.seed, out=shard, params=params, provenance=record, progress=not args.quiet,
                            bound=args.bound, pack=args.pack)
    if world > 1:
        torch.distributed.barrier()
        if rank == 0:
            shards = [args.out.with_name(f"{args.out.name}.rank{r}-of-{world}") for r in range(world)]
            results.merge(shards, args.out)
        torch.distributed.barrier()
    if rank == 0:
        done = results.read(args.out)
        print(f"{args.out}: {len(done)} inputs, certified accuracy at radius 0: "
              f"{done.certified_accuracy([0.0])[0]:.4f}")


def add_analyze_parser(subparsers) -> None:
    p = subparsers.add_parser("analyze", help="certified accuracy tables and curves from results TSVs")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--radii", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0])
    p.add_argument("--plot", type=Path, help="write an interactive HTML figure (plotly.js inlined, works offline)")
    p.set_defaults(run=run_analyze, parser=p)


def run_analyze(args) -> None:
    from rslib import viz

    loaded = {str(f): results.read(f) for f in args.files}
    width = max(len(name) for name in loaded)
    print(f"{'certified accuracy':<{width}}" + "".join(f"{r:>8g}" for r in args.radii) + f"{'inputs':>8}")
    for name, res in loaded.items():
        print(f"{name:<{width}}" + "".join(f"{a:>8.3f}" for a in res.certified_accuracy(args.radii)) + f"{len(res):>8}")
    if args.plot:
        top = max(float(np.max(res.columns["radius"], initial=0)) for res in loaded.values())
        grid = np.linspace(0, max(top, 1e-3) * 1.05, 300)
        fig = viz.certified_accuracy({name: (grid, res.certified_accuracy(grid)) for name, res in loaded.items()})
        fig.write_html(args.plot, include_plotlyjs=True, include_mathjax=False)
        print(f"wrote {args.plot}")
