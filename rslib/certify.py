"""Certify many inputs of a dataset: per-input seeds, a progress bar, and optionally a resumable results file."""
from __future__ import annotations

import time

import numpy as np
from tqdm.auto import tqdm

from rslib import _checks, results
from rslib.smooth import Smoothed


def input_seed(seed: int, idx: int) -> int:
    """The seed of input idx: a function of (seed, idx) only, so results do not depend on how inputs are sharded."""
    return int(np.random.SeedSequence([seed, idx]).generate_state(1)[0])


def certify_dataset(smoothed: Smoothed, dataset, indices, n0: int, n: int, alpha: float, batch_size: int = 1000,
                    seed: int = 0, out=None, params: dict | None = None, provenance: dict | None = None,
                    progress: bool = True, bound: str = "binary") -> results.Results:
    """Certify dataset[i] for i in indices; returns the results (and appends them to `out` when given).

    out: a results file; inputs already in it are skipped, so rerunning the same call resumes a run.
    params: what identifies the experiment in that file (model, dataset, ...); n0, n, alpha, seed and the
    noise are added here. A file written with other parameters is refused. bound: see `Smoothed.certify`.
    """
    seed = _checks.count("seed", seed, minimum=0)
    params = {**(params or {}), "noise": smoothed.noise.params(), "n0": n0, "n": n, "alpha": alpha, "seed": seed}
    done, handle = (set(), None) if out is None else results.open_for_append(out, params, provenance or {})
    rows = []
    try:
        for idx in tqdm([int(i) for i in indices if int(i) not in done], desc="certify", disable=not progress):
            x, label = dataset[idx]
            start = time.perf_counter()
            s = input_seed(seed, idx)
            cert = smoothed.certify(x, n0, n, alpha, batch_size=batch_size, seed=s, bound=bound)
            row = {"idx": idx, "label": int(label), "predict": cert.label, "radius": cert.radius,
                   "correct": int(cert.label == int(label)), "time": time.perf_counter() - start,
                   "p_a": cert.p_a, "p_b": cert.p_b, "count_a": cert.count_a,
                   "n": n, "norm": cert.norm, "seed": s}
            rows.append(row)
            if handle is not None:
                results.append_row(handle, row)
    finally:
        if handle is not None:
            handle.close()
    if out is not None:
        return results.read(out)
    return results.Results(params, provenance or {}, {c: np.array([r[c] for r in rows]) for c in results.COLUMNS})


def certify_topk_dataset(smoothed: Smoothed, dataset, indices, n: int, alpha: float, ks=(1,),
                         batch_size: int = 1000, seed: int = 0, progress: bool = True) -> dict:
    """Top-k certification of dataset[i] for i in indices, for every k in ks from one sample per input.

    Returns numpy arrays: `idx`, `label`, and for each k, `radius[k]`: the certified radius of the true label
    in the top k (-1 for l0 / 0 for l2 where it is not certified)."""
    seed = _checks.count("seed", seed, minimum=0)
    out = {"idx": [], "label": [], "radius": {k: [] for k in ks}}
    for idx in tqdm([int(i) for i in indices], desc="certify top-k", disable=not progress):
        x, label = dataset[idx]
        generator = smoothed._generator(input_seed(seed, idx))
        counts = smoothed.sample_counts(x, n, batch_size, generator).cpu().numpy()
        out["idx"].append(idx)
        out["label"].append(int(label))
        for k in ks:
            out["radius"][k].append(smoothed.topk_from_counts(counts, alpha, k, tuple(x.shape)).radii[int(label)])
    return {"idx": np.asarray(out["idx"]), "label": np.asarray(out["label"]),
            "radius": {k: np.asarray(r) for k, r in out["radius"].items()}}
