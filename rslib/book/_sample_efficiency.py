"""Tables of chapters 5 and 6 on sample efficiency: the benchmark's summary (benchmarks/sample_efficiency.py)
and the gain of randomized Clopper-Pearson."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from rslib import bounds

__all__ = ["fixed_radius_table", "estimation_table", "randomized_gain_table"]

_METHODS = {
    "sequential_shared": "sequential, shared stream",
    "sequential": "sequential, own stream",
    "horvath": "Horváth et al., staged",
}
_ESTIMATION = {
    "adaptive": "certify_adaptive (tol 0.02 σ)",
    "iss_pooled": "Chen et al. ISS, pooled (as published)",
    "iss_fresh": "Chen et al. ISS, fresh final sample",
    "randomized": "fixed N, randomized Clopper–Pearson",
}


def _cell(value, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def fixed_radius_table(summary: dict, model: str):
    """One row per radius and fixed-radius method of one model: images, mean passes, speed-up over fixed N,
    agreement, undecided, and the oracle ratio over all images and over those fixed N certifies."""
    from rslib.book import table

    s, cap = summary["models"][model], summary["n0"] + summary["N"]
    rows = []
    for r, per_method in s["radii"].items():
        for method, label in _METHODS.items():
            m = per_method.get(method)
            if m is not None:
                rows.append(
                    (r, label, m["images"], m["mean_passes"], cap / m["mean_passes"] if m["mean_passes"] else np.inf,
                     m["agreement"], m["undecided"], _cell(m["oracle_ratio"], ".2f"),
                     _cell(m["oracle_ratio_fixed_certified"], ".2f"))
                )  # fmt: skip
    return table(
        ["r", "method", "images", "mean passes", "fewer than fixed N", "agreement", "undecided", "oracle ratio",
         "oracle ratio (fixed N certifies)"],
        rows,
        formats=["", "", "d", ",.0f", ".1f", ".4f", ".3f", "", ""],
        caption=f"{model}: σ = {s['sigma']}, fixed N = {summary['N']:,} (+ {summary['n0']} selection), "
        f"α = {summary['alpha']}",
    )  # fmt: skip


def estimation_table(summary: dict):
    """Radius estimation on each model: passes, speed-up and mean radius loss against fixed N, and the oracle
    limit at the same loss (`rslib.theory.sample_size.adaptive_oracle`)."""
    from rslib.book import table

    rows = []
    for model, s in summary["models"].items():
        for name, label in _ESTIMATION.items():
            m = s["estimation"].get(name)
            if m is not None:
                rows.append((model, label, m["images"], m["mean_passes"], m["speedup"], m["mean_loss_sigma"]))
        oracle = s["estimation"].get("oracle")
        if oracle is not None:
            loss = summary["loss_sigma"]
            rows.append(
                (model, f"oracle at loss {loss} σ", oracle["images"], oracle["mean_passes_at_loss"],
                 oracle["speedup_at_loss"], loss)
            )  # fmt: skip
            cap = summary["n0"] + summary["N"]
            rows.append((model, "oracle at 5x: least loss", oracle["images"], cap / 5, 5.0, oracle["least_loss_at_5x"]))
    return table(
        ["model", "method", "images", "mean passes", "fewer than fixed N", "mean loss (σ)"],
        rows,
        formats=["", "", "d", ",.0f", ".2f", ".4f"],
        caption=f"radius estimation against fixed N = {summary['N']:,}, α = {summary['alpha']}; loss = fixed-N "
        "radius − radius, in units of σ (abstentions count as radius 0)",
    )


def randomized_gain_table(counts, n: int, *, alpha: float = 0.001, draws: int = 2000, seed: int = 0):
    """For each count k of n votes, the Clopper-Pearson radius and the gain of the randomized bound over it, in
    units of sigma (sigma Phi^-1(L) / sigma): mean and median over `draws` uniforms, and how often U <= alpha
    makes the randomized bound the largest float below 1 (unanimous counts only)."""
    from rslib.book import table

    rows = []
    for k in counts:
        plain = float(bounds.clopper_pearson(int(k), n, alpha))
        drawn = bounds.randomized_clopper_pearson(np.full(draws, int(k)), n, alpha, seed=seed)
        top = drawn.bound >= np.nextafter(1.0, 0.0) * (1 - 1e-15)
        gain = norm.ppf(drawn.bound[~top]) - norm.ppf(plain)
        rows.append((f"{int(k):,} / {n:,}", norm.ppf(plain), gain.mean(), np.median(gain), top.mean()))
    return table(
        ["votes for c_A", "Clopper–Pearson radius (σ)", "mean gain (σ)", "median gain (σ)", "P(bound ≈ 1)"],
        rows,
        formats=["", ".4f", ".5f", ".5f", ".4f"],
        caption=f"randomized against plain Clopper–Pearson, α = {alpha}, {draws:,} draws of U per count "
        "(the gain's mean is over the draws that leave the bound below 1)",
    )
