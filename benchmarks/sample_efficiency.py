"""Fewer samples per certificate: every sample-efficient procedure against fixed N, on shipped Gaussian models.

Test images 0, 20, 40, ... (the subset of scripts/certify_at_scale.sh): 300 for fmnist-gaussian-0.5, 100 for
fmnist-gaussian-0.25 and fmnist-gaussian-1.0. Per image, each method draws its votes from its own seeded
stream (`STREAMS`); the fixed-N arm (n0 = 100 selection and N = 100,000 estimation votes) is run once and
its counts are reused by every comparison.

Methods: `fixed` (Cohen et al.'s CERTIFY with Clopper-Pearson). The fixed arm also saves its N estimation
votes, in order, under --votes (not part of the results: 100 kB per image), so that a procedure run on the
"shared" stream replays exactly the draws it would make with the fixed arm's seed at no further cost.

Resumable: one JSON line per (model, image, method) is appended to --rows as soon as it is finished, and a
rerun skips what the file holds; each start appends a `run` line with its provenance. Images are visited
round-robin over the models (image j of every model, then image j + 1), so a partial run covers all models.

    nice -n 10 python benchmarks/sample_efficiency.py --rows benchmarks/results/sample-efficiency-rows.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from rslib import smoothing, zoo
from rslib.results import provenance
from rslib.smoothing import Smoothed, input_seed

MODELS = {"fmnist-gaussian-0.5": 300, "fmnist-gaussian-0.25": 100, "fmnist-gaussian-1.0": 100}
"""Shipped Gaussian models and how many test images of the subset each is run on."""
SKIP = 20
"""Every SKIP-th test image (scripts/certify_at_scale.sh's subset)."""
STREAMS = {"fixed": 0}
"""The seed of method m on image idx is input_seed(STREAMS[m], idx)."""
N0 = 100


def image_indices(model: str, images: int | None) -> list[int]:
    return [SKIP * j for j in range(MODELS[model] if images is None else images)]


def votes_path(args, model: str, idx: int) -> Path:
    return args.votes / f"{model}-N{args.N}-{idx}.npy"


def run_fixed(smoothed: Smoothed, image: torch.Tensor, idx: int, args) -> dict:
    """Cohen et al.'s CERTIFY draws: n0 selection votes, then N estimation votes, from one generator (the
    estimation votes are saved in order for the shared-stream replays)."""
    generator = smoothed.generator(input_seed(STREAMS["fixed"], idx))
    selection = smoothed.sample_counts(image, N0, batch_size=args.batch, generator=generator).cpu().numpy()
    votes = smoothed.sample_votes(image, args.N, batch_size=args.batch, generator=generator).cpu().numpy()
    path = votes_path(args, args.model, idx)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, votes.astype(np.uint8))
    estimation = np.bincount(votes, minlength=smoothed.num_classes)
    return {"selection": selection.tolist(), "estimation": estimation.tolist(), "passes": N0 + args.N}


METHODS = {"fixed": run_fixed}


def read_rows(path: Path) -> tuple[dict, list[dict]]:
    """{(model, idx, method): row} of the finished rows, and the `run` records."""
    rows, runs = {}, []
    if path.exists():
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("kind") == "run":
                runs.append(record)
            else:
                rows[(record["model"], record["idx"], record["method"])] = record
    return rows, runs


def run(args) -> None:
    rows, _ = read_rows(args.rows)
    args.rows.parent.mkdir(parents=True, exist_ok=True)
    smoothing.tune_cpu_allocator()
    test_set = zoo.fashion_mnist("test")
    with args.rows.open("a") as out:
        out.write(json.dumps({"kind": "run", "methods": args.methods, "provenance": provenance()}) + "\n")
        out.flush()
        engines = {}
        for model in args.models:
            pre = zoo.load_pretrained(model)
            engines[model] = Smoothed(pre.model, pre.noise, num_classes=10)
        order = sorted(
            ((j, model, idx) for model in args.models for j, idx in enumerate(image_indices(model, args.images))),
            key=lambda t: t[0],
        )
        for _, model, idx in order:
            smoothed, args.model = engines[model], model
            image, label = test_set[idx]
            for method in args.methods:
                if (model, idx, method) in rows:
                    continue
                start = time.perf_counter()
                row = {"model": model, "idx": idx, "label": int(label), "method": method}
                row.update(METHODS[method](smoothed, image, idx, args))
                row["seconds"] = round(time.perf_counter() - start, 3)
                out.write(json.dumps(row) + "\n")
                out.flush()
                rows[(model, idx, method)] = row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=list(MODELS))
    parser.add_argument("--images", type=int, help="images per model (default: MODELS)")
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--N", type=int, default=100_000, help="fixed-N sample size, and every method's cap")
    parser.add_argument("--alpha", type=float, default=0.001)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rows", type=Path, default=Path("benchmarks/results/sample-efficiency-rows.jsonl"))
    parser.add_argument("--votes", type=Path, default=zoo.cache_dir() / "sample-efficiency-votes")
    args = parser.parse_args(argv)
    run(args)


if __name__ == "__main__":
    main()
