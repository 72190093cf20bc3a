"""Tables of chapters 5 and 6 on sample efficiency: the summary written by benchmarks/sample_efficiency.py
(fixed-radius decisions and radius estimation against fixed N) and the gain of randomized Clopper-Pearson."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from rslib import bounds

if TYPE_CHECKING:  # rslib.book imports this module: the class is only named in annotations here
    from rslib.book import Table

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


def _cell(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def fixed_radius_table(summary: dict[str, Any], model: str) -> Table:
    r"""Fixed-radius decisions of one model against fixed N, one row per radius and sequential method.

    Columns: the images the row covers, the mean forward passes (selection included), how many times fewer
    than fixed N's n0 + N, the agreement with fixed N's decision (an undecided run counts as not certified),
    the share of undecided runs, and the oracle ratio: the method's total passes over the total of

    .. math:: n_0 + \min\Big(N, \frac{\log(1/\alpha)}{\mathrm{KL}(\hat p_A \,\|\, \Phi(r/\sigma))}\Big)

    over the same images (Wald's bound, `rslib.theory.sample_size.oracle_passes`), over all images and over
    those fixed N certifies.

    Parameters
    ----------
    summary : dict
        The JSON summary of benchmarks/sample_efficiency.py (``--out``), as read by
        `rslib.results.read_json_results`.
    model : str
        A model of ``summary["models"]``, e.g. ``"fmnist-gaussian-0.5"``.

    Returns
    -------
    Table
        Captioned with the model's sigma, N, n0 and alpha.

    References
    ----------
    A. Wald. Sequential tests of statistical hypotheses. The Annals of Mathematical Statistics 16(2), 1945.
    M. Z. Horvath, M. N. Mueller, M. Fischer, M. Vechev. Boosting randomized smoothing with variance reduced
    classifiers. ICLR 2022 (the staged procedure of the "horvath" rows).
    """
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


def estimation_table(summary: dict[str, Any]) -> Table:
    r"""Radius estimation on each model against fixed N: mean passes, speed-up and mean radius loss, with the
    oracle limit.

    The loss of an image is :math:`(R_{\mathrm{fixed}} - R)/\sigma`, an abstention counting as radius 0. The
    oracle rows (`rslib.theory.sample_size.adaptive_oracle`, on the fixed run's :math:`\hat p_A`) give the
    fewest mean passes at the summary's loss and the least loss at five times fewer passes than fixed N.

    Parameters
    ----------
    summary : dict
        The JSON summary of benchmarks/sample_efficiency.py (``--out``).

    Returns
    -------
    Table
        One row per model and method the summary holds (certify_adaptive, Chen et al.'s ISS pooled and with
        a fresh final sample, the randomized bound on the fixed run's votes), then the oracle's two rows.

    References
    ----------
    R. Chen, J. Li, J. Yan, P. Li, B. Sheng. Input-specific robustness certification for randomized smoothing.
    AAAI 2022 (the "iss" rows).
    """
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


def randomized_gain_table(
    counts: ArrayLike, n: int, *, alpha: float = 0.001, draws: int = 2000, seed: int = 0
) -> Table:
    r"""The radius randomized Clopper-Pearson adds to Clopper-Pearson's, for each count k of n votes.

    Radii in units of sigma, :math:`\Phi^{-1}(\underline{p_A})` (Cohen et al.'s radius over sigma with
    :math:`\overline{p_B} = 1 - \underline{p_A}`): the Clopper-Pearson radius, and the mean and median gain of
    the randomized bound over `draws` uniforms U, leaving out the draws whose bound is (nearly) 1, whose share
    is the last column (for k = n the bound is :math:`(\alpha/U)^{1/n}`, 1 when U <= alpha).

    Parameters
    ----------
    counts : array_like of int
        Votes for the top class, each in [0, n].
    n : int
        Votes in all.
    alpha : float, default 0.001
        Error level (keyword-only, as below).
    draws : int, default 2000
        Uniforms drawn per count.
    seed : int, default 0
        Seed of the uniforms (`rslib.bounds.randomized_clopper_pearson`).

    Returns
    -------
    Table
        One row per count.

    References
    ----------
    V. Voracek. Treatment of statistical estimation problems in randomized smoothing for adversarial
    robustness. NeurIPS 2024.
    """
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
