"""Fewer samples per certificate: every sample-efficient procedure against fixed N, on shipped Gaussian models.

Test images 0, 20, 40, ... (the subset of scripts/certify_at_scale.sh): 300 for fmnist-gaussian-0.5, 100 for
fmnist-gaussian-0.25 and fmnist-gaussian-1.0; N = 100,000, alpha = 0.001, radii 0.25, 0.5, 1.0. Per image,
each method draws its votes from its own seeded stream (`STREAMS`):

- fixed: Cohen et al.'s CERTIFY, n0 = 100 selection and N estimation votes, Clopper-Pearson (run once; its
  counts serve every comparison, and its N votes are kept under --votes, 100 kB per image, outside the results);
- randomized: the same counts under randomized Clopper-Pearson (`bound="randomized"`, no new vote);
- sequential_shared: `rslib.smoothing.sequential_decision` replaying the fixed arm's votes, i.e. exactly
  what `certify_at_radius` draws with the fixed arm's seed ("shared stream");
- sequential: `certify_at_radius` on a stream of its own ("independent stream");
- horvath: Horvath et al.'s staged sampling, iss: Chen et al.'s input-specific sampling at loss 0.02 sigma,
  pooled as published and fresh (benchmarks/published_methods.py);
- adaptive: `rslib.smoothing.certify_adaptive` at its default tolerance 0.02 sigma.

Per model and radius: mean forward passes and passes ratio (mean / (n0 + N)); agreement of "certified at r"
with the fixed arm (an undecided run counts as not certified, so as a disagreement where fixed N certified);
undecided; oracle ratio = sum of passes / sum of n0 + min(N, log(1/alpha) / KL(p_hat || Phi(r / sigma)))
(`rslib.theory.sample_size.oracle_passes`, p_hat = the fixed arm's count / N), over all images and split by the
fixed arm's decision. For radius estimation: passes, speed-up and mean radius loss against the fixed arm, with
the oracle limit `rslib.theory.sample_size.adaptive_oracle` on the same p_hat, over the images the adaptive
certify covers. `images_by_method` counts each method's images per model. Last line:
`passes_ratio=<worst> agreement=<worst> oracle_ratio=<worst>` over models, radii and both streams of the
sequential test (the oracle ratio also over the images fixed N certifies).

Resumable: one JSON line per (model, image, method) is appended to --rows as soon as it is finished, and a
rerun skips what the file holds; each start appends a `run` line with its provenance. Images are visited
round-robin over the models (image j of every model, then j + 1), all --methods of an image together, so a
partial run covers every model. --out summarises the rows present (how many images each method covers is in
the summary) into JSON with every run's provenance, without drawing a vote.

    nice -n 10 python benchmarks/sample_efficiency.py --methods fixed randomized sequential_shared sequential
    nice -n 10 python benchmarks/sample_efficiency.py --methods adaptive iss horvath
    python benchmarks/sample_efficiency.py --summary-only --out benchmarks/results/sample-efficiency-cpu.json

On a GPU the votes come from CUDA generators, other streams than the CPU's: such a run needs a rows file of its
own (a file of CPU rows refuses it, naming the files to use), e.g. --rows
benchmarks/results/sample-efficiency-gpu-rows.jsonl --out benchmarks/results/sample-efficiency-gpu.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from scipy.stats import norm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from published_methods import horvath_staged, input_specific

from rslib import certificates, results, smoothing, zoo
from rslib.results import provenance
from rslib.smoothing import Smoothed, input_seed
from rslib.theory import sample_size

MODELS = {"fmnist-gaussian-0.5": 300, "fmnist-gaussian-0.25": 100, "fmnist-gaussian-1.0": 100}
"""Shipped Gaussian models and how many test images of the subset each is run on."""
SIGMAS = {"fmnist-gaussian-0.5": 0.5, "fmnist-gaussian-0.25": 0.25, "fmnist-gaussian-1.0": 1.0}
SKIP = 20
"""Every SKIP-th test image (scripts/certify_at_scale.sh's subset)."""
STREAMS = {"fixed": 0, "sequential": 1, "horvath": 2, "iss": 3, "adaptive": 4}
"""The seed of method m on image idx is input_seed(STREAMS[m], idx) (randomized and sequential_shared use fixed's)."""
N0 = 100
LOSS = 0.02
"""Radius tolerance and ISS loss, in units of sigma."""


def image_indices(model: str, images: int | None) -> list[int]:
    return [SKIP * j for j in range(MODELS[model] if images is None else images)]


def votes_path(args, model: str, idx: int) -> Path:
    """Where the fixed arm's votes are kept; votes drawn on a GPU get their own name (other noise streams)."""
    device = getattr(args, "device", "cpu")
    return args.votes / f"{model}-N{args.N}-{idx}{'' if device == 'cpu' else '-' + device}.npy"


def counter(smoothed: Smoothed, image: torch.Tensor, seed: int, batch: int):
    """count_votes(m): votes per class of m new noisy copies, from one generator seeded with `seed`."""
    generator = smoothed.generator(seed)
    return lambda m: smoothed.sample_counts(image, m, batch_size=batch, generator=generator).cpu().numpy()


def run_fixed(smoothed, image, idx, args, fixed) -> dict:
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


def run_randomized(smoothed, image, idx, args, fixed) -> dict:
    """The fixed arm's counts under randomized Clopper-Pearson, U seeded as Smoothed.certify seeds it."""
    u_seed = smoothing.randomization_seed(input_seed(STREAMS["fixed"], idx))
    cert = smoothing.certificate_from_counts(
        fixed["selection"],
        fixed["estimation"],
        alpha=args.alpha,
        noise=smoothed.noise,
        bound="randomized",
        u_seed=u_seed,
    )
    return {"radius": cert.radius, "p_a": cert.p_a, "u": cert.u, "u_seed": u_seed, "passes": 0}


def run_sequential_shared(smoothed, image, idx, args, fixed) -> dict:
    """The sequential test on the fixed arm's stream: its selection, then its estimation votes in order."""
    selection = np.repeat(np.arange(smoothed.num_classes), fixed["selection"])
    stream = np.concatenate([selection, np.load(votes_path(args, args.model, idx))])
    out = {}
    for r in args.radii:
        position = [0]

        def sample(m, position=position):
            position[0] += m
            return stream[position[0] - m : position[0]]

        out[str(r)] = decision_row(
            smoothing.sequential_decision(sample, sigma=smoothed.noise.sigma, radius=r, n_max=args.N, alpha=args.alpha)
        )
    return {"radii": out}


def run_sequential(smoothed, image, idx, args, fixed) -> dict:
    seed = input_seed(STREAMS["sequential"], idx)
    return {
        "radii": {
            str(r): decision_row(
                smoothing.certify_at_radius(
                    smoothed, image, r, n_max=args.N, alpha=args.alpha, batch_size=args.batch, seed=seed
                )
            )
            for r in args.radii
        }
    }


def decision_row(decision) -> dict:
    return {"certified": decision.certified, "passes": decision.samples, "decided_early": decision.decided_early}


def run_horvath(smoothed, image, idx, args, fixed) -> dict:
    out = {}
    for r in args.radii:
        count = counter(smoothed, image, input_seed(STREAMS["horvath"], idx), args.batch)
        threshold = float(norm.cdf(r / smoothed.noise.sigma))
        certified, passes, early = horvath_staged(count, threshold=threshold, alpha=args.alpha)
        out[str(r)] = {"certified": certified, "passes": passes, "decided_early": early}
    return {"radii": out}


def run_iss(smoothed, image, idx, args, fixed) -> dict:
    count = counter(smoothed, image, input_seed(STREAMS["iss"], idx), args.batch)
    sigma = smoothed.noise.sigma
    runs = input_specific(count, sigma=sigma, alpha=args.alpha, loss=LOSS * sigma, max_size=args.N)
    return {name: {"label": label, "p_a": p_a, "passes": passes} for name, (label, p_a, passes) in runs.items()}


def run_adaptive(smoothed, image, idx, args, fixed) -> dict:
    seed = input_seed(STREAMS["adaptive"], idx)
    run = smoothing.certify_adaptive(smoothed, image, alpha=args.alpha, n_max=args.N, batch_size=args.batch, seed=seed)
    cert = run.certificate
    return {"label": cert.label, "radius": cert.radius, "p_a": cert.p_a, "passes": run.passes, "n_final": run.n_final}


METHODS = {
    "fixed": run_fixed,
    "randomized": run_randomized,
    "sequential_shared": run_sequential_shared,
    "sequential": run_sequential,
    "adaptive": run_adaptive,
    "iss": run_iss,
    "horvath": run_horvath,
}


def read_rows(path: Path) -> tuple[dict, list[dict]]:
    """{(model, idx, method): row} of the finished rows, and the `run` records.

    A last line without its newline is the one a running writer is still writing (or a killed one left) and
    is skipped; any other line that is not a JSON object is an error naming the file and the line.
    """
    return _parse_rows(path, path.read_bytes()) if path.exists() else ({}, [])


def _parse_rows(path: Path, data: bytes) -> tuple[dict, list[dict]]:
    rows, runs = {}, []
    lines = data.decode("utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        if number == len(lines) or not line.strip():
            continue  # the text after the last newline is torn even where it parses (open_rows removes it)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{path}: line {number} is not a JSON row ({exc.msg}); the file is left unchanged"
            ) from None
        if not isinstance(record, dict):
            raise ValueError(f"{path}: line {number} is not a JSON object; the file is left unchanged")
        if record.get("kind") == "run":
            runs.append(record)
        else:
            rows[(record["model"], record["idx"], record["method"])] = record
    return rows, runs


@contextlib.contextmanager
def open_rows(path: Path):
    """Lock the rows file for this run, check it whole, drop a torn last line; yield (rows, runs, append).

    A second run on the same file is refused at once (`rslib.results.locked`: the file's flock), and a file
    with a line that is not JSON is refused before anything is written. `append(record)` writes one JSON
    line and fsyncs it, so a kill loses at most the row in flight.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with results.locked(path):
        data = path.read_bytes()  # read once, under the lock: what is checked is what is kept
        rows, runs = _parse_rows(path, data)
        with path.open("a", encoding="utf-8") as out:
            complete = data.rfind(b"\n") + 1
            if complete < len(data):  # a killed writer's torn last line, after the rest checked valid
                os.ftruncate(out.fileno(), complete)

            def append(record: dict) -> None:
                out.write(json.dumps(record) + "\n")
                out.flush()
                os.fsync(out.fileno())

            yield rows, runs, append


def check_device(path: Path, runs: list[dict], device: str) -> None:
    """Refuse to add rows drawn on `device` ("cpu" or "cuda") to a file whose runs drew on the other kind.

    Each method's votes come from seeded generators of the device they are drawn on, and CPU and CUDA
    generators give different streams: rows of both kinds in one file would make one summary of two
    experiments (and a shared-stream replay would look for the other machine's saved votes).
    """
    name = "gpu" if device == "cuda" else device
    for run in runs:
        drawn_on = run["provenance"]["device"].split(":", 1)[0]
        if drawn_on != device:
            raise ValueError(
                f"{path} holds rows drawn on {run['provenance']['device']} and this run draws on {device}: give it "
                f"files of its own, e.g. --rows benchmarks/results/sample-efficiency-{name}-rows.jsonl "
                f"--out benchmarks/results/sample-efficiency-{name}.json"
            )


def run(args) -> None:
    smoothing.tune_cpu_allocator()
    device = smoothing.default_device()
    args.device = device.type
    test_set = zoo.fashion_mnist("test", root=args.data_root)
    engines = {}
    for model in args.models:
        pre = zoo.load_pretrained(model)
        engines[model] = Smoothed(pre.model, pre.noise, num_classes=10, device=device)
    order = sorted(
        ((j, model, idx) for model in args.models for j, idx in enumerate(image_indices(model, args.images))),
        key=lambda t: t[0],
    )
    with open_rows(args.rows) as (rows, runs, append):
        check_device(args.rows, runs, device.type)
        record = {"kind": "run", "methods": args.methods, "N": args.N, "alpha": args.alpha, "radii": args.radii}
        append({**record, "provenance": provenance(device=device)})
        todo = [(model, idx) for _, model, idx in order if any((model, idx, m) not in rows for m in args.methods)]
        began = time.perf_counter()
        for done, (model, idx) in enumerate(todo, start=1):
            smoothed, args.model = engines[model], model
            image, label = test_set[idx]
            seconds = {}
            for method in args.methods:
                if (model, idx, method) in rows:
                    continue
                fixed = rows.get((model, idx, "fixed"))
                if method in ("randomized", "sequential_shared") and fixed is None:
                    continue  # needs the fixed arm's counts and votes: a later run with "fixed" first fills it
                start = time.perf_counter()
                row = {"model": model, "idx": idx, "label": int(label), "method": method}
                row.update(METHODS[method](smoothed, image, idx, args, fixed))
                row["seconds"] = seconds[method] = round(time.perf_counter() - start, 3)
                append(row)
                rows[(model, idx, method)] = row
            left = (time.perf_counter() - began) / done * (len(todo) - done)
            timings = ", ".join(f"{m} {t:.1f} s" for m, t in seconds.items())
            print(f"[{done}/{len(todo)}] {model} idx {idx}: {timings}; about {left / 60:.0f} min left", flush=True)


# ------------------------------------------------------------------------------------------------ summary


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def covered(rows: dict, model: str, method: str) -> list[int]:
    """The images of `model` on which `method` has a row, in index order."""
    return sorted(idx for (m, idx, meth) in rows if m == model and meth == method)


def summarize_model(model: str, rows: dict, args) -> dict:
    """Per radius and fixed-radius method, and for radius estimation, over the images every compared method
    has finished (each comparison with the fixed arm uses the images both have)."""
    sigma, cap = SIGMAS[model], N0 + args.N
    noise = smoothing.Gaussian(sigma)
    fixed = {idx: row for (m, idx, meth), row in rows.items() if m == model and meth == "fixed"}
    certs = {
        idx: smoothing.certificate_from_counts(row["selection"], row["estimation"], alpha=args.alpha, noise=noise)
        for idx, row in fixed.items()
    }
    p_hat = {idx: certs[idx].count_a / args.N for idx in fixed}
    out: dict = {"sigma": sigma, "images_fixed": len(fixed), "fixed_radius": {}, "radii": {}}
    for r in args.radii:
        threshold = float(norm.cdf(r / sigma))
        fixed_cert = {idx: (not c.abstained) and c.radius >= r for idx, c in certs.items()}
        per_method = {}
        for method in ("sequential_shared", "sequential", "horvath"):
            done = [idx for idx in covered(rows, model, method) if idx in fixed]
            if not done:
                continue
            runs = [rows[(model, idx, method)]["radii"][str(r)] for idx in done]
            passes = np.array([run["passes"] for run in runs], dtype=float)
            certified = np.array([run["certified"] for run in runs])
            undecided = np.array([(not run["decided_early"]) and not run["certified"] for run in runs])
            truth = np.array([fixed_cert[idx] for idx in done])
            oracle = np.array(
                [
                    sample_size.oracle_passes(p_hat[idx], threshold, alpha=args.alpha, n0=N0, n_max=args.N)
                    for idx in done
                ]
            )
            per_method[method] = {
                "images": len(done),
                "mean_passes": float(passes.mean()),
                "passes_ratio": float(passes.mean() / cap),
                "agreement": float((certified == truth).mean()),
                "undecided": float(undecided.mean()),
                "certified": float(certified.mean()),
                "fixed_certified": float(truth.mean()),
                "oracle_ratio": _ratio(passes.sum(), oracle.sum()),
                "oracle_ratio_fixed_certified": _ratio(passes[truth].sum(), oracle[truth].sum()),
                "oracle_ratio_fixed_not_certified": _ratio(passes[~truth].sum(), oracle[~truth].sum()),
                "oracle_mean_passes": float(oracle.mean()),
            }
        randomized = [rows[(model, idx, "randomized")] for idx in fixed if (model, idx, "randomized") in rows]
        if randomized:
            per_method["randomized"] = {
                "images": len(randomized),
                "certified": float(np.mean([row["radius"] >= r for row in randomized])),
                "fixed_certified": float(np.mean([fixed_cert[row["idx"]] for row in randomized])),
            }
        out["radii"][str(r)] = per_method
    out["estimation"] = summarize_estimation(model, rows, certs, p_hat, args)
    return out


def summarize_estimation(model, rows, certs, p_hat, args) -> dict:
    """Radius estimation against the fixed arm: passes, speed-up, mean radius loss (sigma), and the oracle."""
    sigma, cap = SIGMAS[model], N0 + args.N

    def radius(label, p_a):
        return float(certificates.gaussian_l2(p_a, sigma=sigma)) if label >= 0 and p_a > 0.5 else 0.0

    fixed_radius = {idx: max(c.radius, 0.0) for idx, c in certs.items()}
    variants = {
        "adaptive": lambda row: (row["passes"], max(row["radius"], 0.0)),
        "iss_pooled": lambda row: (row["pooled"]["passes"], radius(row["pooled"]["label"], row["pooled"]["p_a"])),
        "iss_fresh": lambda row: (row["fresh"]["passes"], radius(row["fresh"]["label"], row["fresh"]["p_a"])),
        "randomized": lambda row: (cap, max(row["radius"], 0.0)),
    }
    out = {}
    for name, read in variants.items():
        method = name.split("_")[0]
        done = [idx for idx in covered(rows, model, method) if idx in certs]
        if not done:
            continue
        passes, radii = np.array([read(rows[(model, idx, method)]) for idx in done]).T
        loss = (np.array([fixed_radius[idx] for idx in done]) - radii) / sigma
        out[name] = {
            "images": len(done),
            "mean_passes": float(passes.mean()),
            "speedup": float(cap / passes.mean()),
            "mean_loss_sigma": float(loss.mean()),
        }
    # the oracle on the images certify_adaptive covers (all the fixed arm's until it has run), so that the
    # target's comparison is made on one set of images whatever the coverage of each method
    adaptive = [idx for idx in covered(rows, model, "adaptive") if idx in p_hat]
    on = adaptive or sorted(p_hat)
    if on:
        oracle = sample_size.adaptive_oracle(
            np.array([p_hat[idx] for idx in on]), sigma=sigma, alpha=args.alpha, n_max=args.N, n0=N0, losses=(LOSS,)
        )
        out["oracle"] = {
            "images": len(on),
            "mean_passes_at_loss": oracle.passes[LOSS],
            "speedup_at_loss": oracle.speedups[LOSS],
            "least_loss_at_5x": oracle.least_loss[5.0],
        }
    return out


def summarize(args) -> dict:
    rows, runs = read_rows(args.rows)
    models = {model: summarize_model(model, rows, args) for model in args.models}
    images_by_method = {
        method: {model: len(covered(rows, model, method)) for model in args.models} for method in METHODS
    }
    worst = {"passes_ratio": [], "agreement": [], "oracle_ratio": []}
    for summary in models.values():
        for per_method in summary["radii"].values():
            for method in ("sequential_shared", "sequential"):
                s = per_method.get(method)
                if s is None:
                    continue
                worst["passes_ratio"].append(s["passes_ratio"])
                worst["agreement"].append(s["agreement"])
                worst["oracle_ratio"] += [
                    v for v in (s["oracle_ratio"], s["oracle_ratio_fixed_certified"]) if v is not None
                ]
    return {
        "N": args.N,
        "alpha": args.alpha,
        "n0": N0,
        "radii": args.radii,
        "loss_sigma": LOSS,
        "images_planned": {m: MODELS[m] if args.images is None else args.images for m in args.models},
        "images_by_method": images_by_method,
        "models": models,
        "worst": {
            "passes_ratio": max(worst["passes_ratio"], default=None),
            "agreement": min(worst["agreement"], default=None),
            "oracle_ratio": max(worst["oracle_ratio"], default=None),
        },
        "runs": [{"methods": r["methods"], "provenance": r["provenance"]} for r in runs],
        "provenance": provenance(),
    }


def _fmt(value, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def print_summary(summary: dict) -> None:
    for method, per_model in summary["images_by_method"].items():
        print(f"{method:<18}" + "  ".join(f"{model} {count}" for model, count in per_model.items()))
    for model, s in summary["models"].items():
        print(f"\n{model} (sigma {s['sigma']}, {s['images_fixed']} images with the fixed arm)")
        print(f"{'r':>5} {'method':<18}{'images':>7}{'passes':>9}{'ratio':>8}{'agree':>8}{'undec.':>8}{'oracle':>8}")
        for r, per_method in s["radii"].items():
            for method, m in per_method.items():
                if method == "randomized":
                    print(
                        f"{r:>5} {method:<18}{m['images']:>7}  certified {m['certified']:.3f} (CP {m['fixed_certified']:.3f})"
                    )
                    continue
                print(
                    f"{r:>5} {method:<18}{m['images']:>7}{m['mean_passes']:>9,.0f}{m['passes_ratio']:>8.4f}"
                    f"{m['agreement']:>8.4f}{m['undecided']:>8.3f}{_fmt(m['oracle_ratio'], '.2f'):>8}"
                )
        for name, m in s["estimation"].items():
            if name == "oracle":
                print(
                    f"      oracle: {m['mean_passes_at_loss']:,.0f} passes ({m['speedup_at_loss']:.2f}x) at loss "
                    f"{summary['loss_sigma']} sigma; least loss at 5x {m['least_loss_at_5x']:.3f} sigma"
                )
            else:
                print(
                    f"      {name:<12}{m['images']:>5} images {m['mean_passes']:>9,.0f} passes ({m['speedup']:.2f}x), "
                    f"mean loss {m['mean_loss_sigma']:.4f} sigma"
                )
    w = summary["worst"]
    print(
        f"passes_ratio={_fmt(w['passes_ratio'], '.4f')} agreement={_fmt(w['agreement'], '.4f')} "
        f"oracle_ratio={_fmt(w['oracle_ratio'], '.2f')}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--images", type=int, help="images per model (default: MODELS)")
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--N", type=int, default=100_000, help="fixed-N sample size, and every method's cap")
    parser.add_argument("--alpha", type=float, default=0.001)
    parser.add_argument("--radii", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rows", type=Path, default=Path("benchmarks/results/sample-efficiency-rows.jsonl"))
    parser.add_argument("--votes", type=Path, default=zoo.cache_dir() / "sample-efficiency-votes")
    parser.add_argument("--data-root", type=Path, help="a folder with Fashion-MNIST's *-ubyte.gz (default: rslib's)")
    parser.add_argument("--out", type=Path, help="write the summary and every run's provenance as JSON")
    parser.add_argument("--summary-only", action="store_true", help="summarise the rows; draw no vote")
    args = parser.parse_args(argv)
    if not args.summary_only:
        run(args)
    summary = summarize(args)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print_summary(summary)


if __name__ == "__main__":
    main()
