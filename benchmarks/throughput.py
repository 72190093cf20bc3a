"""Certification throughput (noisy samples per second), in one process, on one model and input:

  (a) forward  the model's own forward pass on ready-made noisy batches, at its best batch size;
  (b) reference  a straightforward loop written like Cohen et al.'s `core.py`: repeat the input, draw the
      noise, forward, argmax, copy the predictions to the host and count them there, per batch;
  (c) rslib  `rslib.Smoothed.sample_counts`: noise drawn and votes counted on the device, one host read per input.

Then whole certifications (n0 selection + n estimation samples per input) of several inputs, one at a time
and packed into shared batches (`Smoothed.certify_many`), counting every sample drawn: with n0 well under
the batch size, packing keeps batches full.

Prints the tables and, as its last line, `ratio_vs_forward=<x> ratio_vs_reference=<y>` for rslib: the
smallest ratio over the noises measured. With --out, writes the numbers and their provenance as JSON.
"gaussian-sound" is the grid sampler of `Gaussian(0.5, sound=True)`; every input is an 8-bit image (values
k / 255), as that sampler requires.

    python benchmarks/throughput.py --samples 20000 --out benchmarks/results/throughput-cpu.json
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
from rslib.smoothing import Smoothed

NOISES = {
    "gaussian": smoothing.Gaussian(0.5),
    "gaussian-sound": smoothing.Gaussian(0.5, sound=True),
    "laplace": smoothing.Laplace(0.35),
    "ablation": smoothing.Ablation(50),
}


def _sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def _rates(runs: dict, dev, rounds: int) -> dict:
    """Samples per second of each of `runs` (name -> (run, samples)): the best of `rounds` timed runs after one
    warm-up each (interference only slows a run, so the best is the least disturbed). The runs take turns
    within a round, so a machine that drifts (other load, clock) favours none."""
    for run, _ in runs.values():
        run()
    best = dict.fromkeys(runs, np.inf)
    for _ in range(rounds):
        for name, (run, _) in runs.items():
            _sync(dev)
            start = time.perf_counter()
            run()
            _sync(dev)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: samples / best[name] for name, (_, samples) in runs.items()}


def forward_only(model, noisy_batch, samples):
    """(a) The model alone on a ready-made noisy batch, `samples // batch` times."""
    batches = samples // noisy_batch.shape[0]

    @torch.inference_mode()
    def run():
        for _ in range(batches):
            model(noisy_batch).argmax(dim=1)

    return run, batches * noisy_batch.shape[0]


def reference_loop(model, noise, x, samples, batch_size, num_classes):
    """(b) Cohen et al.'s `_sample_noise`, generalised to any noise: per batch a host copy and a Python count."""

    @torch.inference_mode()
    def run():
        counts = np.zeros(num_classes, dtype=int)
        remaining = samples
        while remaining > 0:
            size = min(batch_size, remaining)
            remaining -= size
            batch = x.repeat((size, 1, 1, 1))
            predictions = model(noise.sample(batch)).argmax(dim=1)
            for idx in predictions.cpu().numpy():
                counts[idx] += 1
        return counts

    return run, samples


def rslib_engine(model, noise, x, samples, batch_size, num_classes, dev):
    """(c) rslib's engine: `rslib.Smoothed.sample_counts`."""
    smoothed = Smoothed(model, noise, num_classes, device=dev)
    generator = torch.Generator(device=dev).manual_seed(0)
    return (lambda: smoothed.sample_counts(x[0], samples, batch_size=batch_size, generator=generator).cpu()), samples


def rslib_certify(model, noise, xs, n0, n, batch_size, pack, num_classes, dev):
    """Whole certifications of every input of xs, `pack` inputs at a time."""
    smoothed = Smoothed(model, noise, num_classes, device=dev)

    def run():
        for start in range(0, len(xs), pack):
            smoothed.certify_many(
                xs[start : start + pack], n0, n, 0.001, batch_size=batch_size, seeds=range(start, start + pack)
            )

    return run, len(xs) * (n0 + n)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=20_000, help="noisy samples per measurement")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    parser.add_argument("--rounds", type=int, default=6, help="timed runs per method (the best counts)")
    parser.add_argument("--noises", nargs="+", choices=sorted(NOISES), default=sorted(NOISES))
    parser.add_argument(
        "--certify",
        type=int,
        nargs=3,
        default=[16, 100, 1000],
        metavar=("INPUTS", "N0", "N"),
        help="whole certifications: inputs, n0, n (packed: all inputs together)",
    )
    parser.add_argument("--out", type=Path, help="write the results as JSON with provenance")
    args = parser.parse_args(argv)
    dev = smoothing.default_device()
    smoothing.tune_cpu_allocator()
    torch.manual_seed(0)
    record = provenance(device=dev)  # at the start: the code and commit that ran
    rows, certify_rows = [], []
    for name in args.noises:
        noise = NOISES[name]
        model = zoo.build("fashion_cnn", noise.in_channels(1), 10).to(dev).eval()
        model = model.to(memory_format=torch.channels_last)
        x = torch.randint(0, 256, (1, 1, 28, 28), device=dev).float() / 255
        for batch_size in args.batch_sizes:
            noisy = noise.sample(x.repeat((batch_size, 1, 1, 1))).contiguous(memory_format=torch.channels_last)
            rows.append(
                {
                    "noise": name,
                    "batch_size": batch_size,
                    **_rates(
                        {
                            "forward": forward_only(model, noisy, args.samples),
                            "reference": reference_loop(model, noise, x, args.samples, batch_size, 10),
                            "rslib": rslib_engine(model, noise, x, args.samples, batch_size, 10, dev),
                        },
                        dev,
                        args.rounds,
                    ),
                }
            )
        inputs, n0, n = args.certify
        xs = list(torch.randint(0, 256, (inputs, 1, 28, 28), device=dev).float() / 255)
        batch_size = max(args.batch_sizes)
        certify_rows.append(
            {
                "noise": name,
                "batch_size": batch_size,
                "inputs": inputs,
                "n0": n0,
                "n": n,
                **_rates(
                    {
                        f"pack_{pack}": rslib_certify(model, noise, xs, n0, n, batch_size, pack, 10, dev)
                        for pack in (1, inputs)
                    },
                    dev,
                    args.rounds,
                ),
            }
        )
    print(f"{'noise':<9}{'batch':>6}{'forward/s':>12}{'reference/s':>13}{'rslib/s':>10}{'vs fwd':>8}{'vs ref':>8}")
    for r in rows:
        print(
            f"{r['noise']:<9}{r['batch_size']:>6}{r['forward']:>12.0f}{r['reference']:>13.0f}{r['rslib']:>10.0f}"
            f"{r['rslib'] / r['forward']:>8.2f}{r['rslib'] / r['reference']:>8.2f}"
        )
    inputs = args.certify[0]
    print(f"\n{'noise':<9}{'batch':>6}{'inputs':>7}{'n0':>5}{'n':>7}{'one at a time/s':>17}{'packed/s':>10}{'gain':>7}")
    for r in certify_rows:
        print(
            f"{r['noise']:<9}{r['batch_size']:>6}{r['inputs']:>7}{r['n0']:>5}{r['n']:>7}{r['pack_1']:>17.0f}"
            f"{r[f'pack_{inputs}']:>10.0f}{r[f'pack_{inputs}'] / r['pack_1']:>7.2f}"
        )
    summary = {}
    for name in args.noises:
        mine = [r for r in rows if r["noise"] == name]
        best = {k: max(r[k] for r in mine) for k in ("forward", "reference", "rslib")}
        summary[name] = {
            "vs_forward": best["rslib"] / best["forward"],
            "vs_reference": best["rslib"] / best["reference"],
        }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "certify_rows": certify_rows,
                    "best_batch_ratios": summary,
                    "samples": args.samples,
                    "provenance": record,
                },
                indent=2,
            )
            + "\n"
        )
    print(
        f"ratio_vs_forward={min(s['vs_forward'] for s in summary.values()):.3f} "
        f"ratio_vs_reference={min(s['vs_reference'] for s in summary.values()):.3f}"
    )


if __name__ == "__main__":
    main()
