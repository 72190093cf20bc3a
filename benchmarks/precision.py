"""Floating-point soundness: what reduced precision does to the votes and certificates of the shipped models.

A certificate computed under bf16/fp16 autocast is a certificate for the smoothed reduced-precision base
classifier, the one actually evaluated. How far that is from the fp32 classifier is measured here: on the
same noisy samples (same seeds), the fraction of votes that change, and on whole certifications (n0, n)
how many certified labels change and how much the radius moves. Also the throughput ratio to fp32.

Prints a table and, as its last line, `changed_votes_max=<x> changed_labels_max=<y>` over models and
precisions. With --out, writes the rows and their provenance as JSON (the book's soundness appendix shows it).

    python benchmarks/precision.py --images 20 --n 1000 --out benchmarks/results/precision-cpu.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from rslib import smoothing, zoo
from rslib.results import provenance
from rslib.smoothing import Smoothed, input_seed


def compare(pre, images, precision, n0, n, alpha, batch, dev) -> dict:
    """Votes and certificates of `pre` at `precision` against fp32, on the same samples of every image."""
    fp32 = Smoothed(pre.model, pre.noise, 10, device=dev)
    reduced = Smoothed(pre.model, pre.noise, 10, device=dev, precision=precision)
    changed_votes = changed_labels = 0
    radius_shift, seconds = [], {"fp32": 0.0, precision: 0.0}
    for idx, image in images:
        seed = input_seed(0, idx)
        votes = [s.sample_votes(image, n, batch_size=batch, generator=s.generator(seed)) for s in (fp32, reduced)]
        changed_votes += int((votes[0] != votes[1]).sum())
        certs = []
        for name, smoothed in (("fp32", fp32), (precision, reduced)):
            start = time.perf_counter()
            certs.append(smoothed.certify(image, n0, n, alpha, batch_size=batch, seed=seed))
            seconds[name] += time.perf_counter() - start
        changed_labels += certs[0].label != certs[1].label
        if certs[0].label == certs[1].label:
            radius_shift.append(abs(certs[0].radius - certs[1].radius))
    return {
        "model": pre.name,
        "precision": precision,
        "images": len(images),
        "n": n,
        "changed_votes": changed_votes / (len(images) * n),
        "changed_labels": changed_labels / len(images),
        "mean_radius_shift": float(np.mean(radius_shift)) if radius_shift else None,
        "speed_vs_fp32": seconds["fp32"] / seconds[precision],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=None, help="shipped models (default: all)")
    parser.add_argument(
        "--precisions",
        nargs="+",
        choices=["bf16", "fp16"],
        default=None,
        help="default: bf16 on the CPU, bf16 and fp16 on a GPU",
    )
    parser.add_argument("--images", type=int, default=20, help="test images, evenly spaced over the test set")
    parser.add_argument("--n0", type=int, default=100)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--alpha", type=float, default=0.001)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--out", type=Path, help="write the rows as JSON with provenance")
    args = parser.parse_args(argv)
    dev = smoothing.default_device()
    smoothing.tune_cpu_allocator()
    precisions = args.precisions or (["bf16", "fp16"] if dev.type == "cuda" else ["bf16"])
    test_set = zoo.fashion_mnist("test")
    images = [(int(i), test_set[int(i)][0]) for i in np.linspace(0, len(test_set) - 1, args.images).astype(int)]
    record = provenance(device=dev)  # at the start: the code and commit that ran
    rows = [
        compare(zoo.load_pretrained(name, device=dev), images, precision, args.n0, args.n, args.alpha, args.batch, dev)
        for name in tqdm(args.models or zoo.list_pretrained(), desc="models")
        for precision in precisions
    ]
    print(f"{'model':<28}{'precision':>10}{'changed votes':>15}{'changed labels':>16}{'radius shift':>14}{'speed':>7}")
    for r in rows:
        shift = "-" if r["mean_radius_shift"] is None else f"{r['mean_radius_shift']:.4f}"
        print(
            f"{r['model']:<28}{r['precision']:>10}{r['changed_votes']:>15.4%}{r['changed_labels']:>16.1%}"
            f"{shift:>14}{r['speed_vs_fp32']:>7.2f}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {"rows": rows, "args": {k: v for k, v in vars(args).items() if k != "out"}, "provenance": record},
                indent=2,
                default=str,
            )
            + "\n"
        )
    print(
        f"changed_votes_max={max(r['changed_votes'] for r in rows):.5f} "
        f"changed_labels_max={max(r['changed_labels'] for r in rows):.3f}"
    )


if __name__ == "__main__":
    main()
