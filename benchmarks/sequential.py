"""Sequential certification at fixed radii against fixed-N Clopper-Pearson, on a shipped model and test images.

For each image: Cohen et al.'s fixed-n certificate (n0 = 100 selection samples, then N samples and the
Clopper-Pearson bound; certified at r when it predicts and its radius is >= r), and for each radius r
`rslib.smoothing.certify_at_radius` capped at N. Reports, per radius, the mean forward passes of the
sequential decisions as a fraction of the fixed procedure's n0 + N, and how often the two decisions agree.

Goals (issue 6): at most 1/20 of the forward passes on average, agreement on at least 99% of inputs.
Prints a table and, as its last line, `passes_ratio=<largest over radii> agreement=<smallest over radii>`.

    python benchmarks/sequential.py --model fmnist-gaussian-0.5 --images 100 --N 100000 \
        --out benchmarks/results/sequential-cpu.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from rslib import smoothing, zoo
from rslib.results import provenance
from rslib.smoothing import Smoothed, certify_at_radius, input_seed, summarize


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="fmnist-gaussian-0.5", help="a shipped Gaussian model")
    parser.add_argument("--images", type=int, default=100, help="test images, evenly spaced over the test set")
    parser.add_argument("--N", type=int, default=100_000, help="samples of the fixed procedure (and the cap)")
    parser.add_argument("--alpha", type=float, default=0.001)
    parser.add_argument("--radii", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--out", type=Path, help="write the per-image rows and the summary as JSON with provenance")
    args = parser.parse_args(argv)
    smoothing.tune_cpu_allocator()
    pre = zoo.load_pretrained(args.model)
    smoothed = Smoothed(pre.model, pre.noise, num_classes=10)
    test_set = zoo.fashion_mnist("test")
    indices = np.linspace(0, len(test_set) - 1, args.images).astype(int)
    record = provenance(device=smoothed.device)  # at the start: the code and commit that ran
    rows = []
    for idx in tqdm(indices, desc="images"):
        image, label = test_set[int(idx)]
        seed = input_seed(0, int(idx))
        start = time.perf_counter()
        fixed = smoothed.certify(image, n0=100, n=args.N, alpha=args.alpha, batch_size=args.batch, seed=seed)
        row = {
            "idx": int(idx),
            "label": int(label),
            "fixed_label": fixed.label,
            "fixed_radius": fixed.radius,
            "fixed_seconds": time.perf_counter() - start,
            "sequential": {},
        }
        for r in args.radii:
            start = time.perf_counter()
            seq = certify_at_radius(
                smoothed, image, r, n0=100, n_max=args.N, alpha=args.alpha, batch_size=args.batch, seed=seed
            )
            row["sequential"][str(r)] = {
                "certified": seq.certified,
                "label": seq.label,
                "samples": seq.samples,
                "decided_early": seq.decided_early,
                "seconds": time.perf_counter() - start,
                "fixed_certified": bool(fixed.label >= 0 and fixed.radius >= r),
            }
        rows.append(row)
    summary = {}
    print(f"{'radius':>7}{'mean passes':>13}{'ratio':>8}{'agree':>8}{'certified (seq/fixed)':>24}{'undecided':>11}")
    for r in args.radii:
        d = [row["sequential"][str(r)] for row in rows]
        s = summarize(
            [(x["samples"], x["certified"], x["fixed_certified"], x["decided_early"]) for x in d], 100, args.N
        )
        summary[str(r)] = dataclasses.asdict(s)
        print(
            f"{r:>7}{s.mean_passes:>13,.0f}{s.passes_ratio:>8.3f}{s.agreement:>8.1%}"
            f"{s.certified_sequential:>12.2f} / {s.certified_fixed:.2f}{s.undecided:>11.1%}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "model": args.model,
                    "images": args.images,
                    "N": args.N,
                    "alpha": args.alpha,
                    "summary": summary,
                    "rows": rows,
                    "provenance": record,
                },
                indent=2,
            )
            + "\n"
        )
    print(
        f"passes_ratio={max(s['passes_ratio'] for s in summary.values()):.4f} "
        f"agreement={min(s['agreement'] for s in summary.values()):.4f}"
    )


if __name__ == "__main__":
    main()
