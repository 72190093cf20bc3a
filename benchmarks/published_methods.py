"""Two published sample-efficient procedures, re-implemented from their papers' descriptions for
benchmarks/sample_efficiency.py (vote sources as in rslib: count_votes(m) returns the votes per class of m new
noisy copies, from one stream).

- `horvath_staged`: M. Z. Horvath, M. N. Mueller, M. Fischer, M. Vechev. Boosting randomized smoothing with
  variance reduced classifiers. ICLR 2022, "adaptive sampling" for a radius fixed in advance. Stages of
  n = 1,000, 10,000, 125,000 votes, each with fresh n0 = 100 selection votes; certify at stage i when
  Clopper-Pearson at alpha / s (s = 3 stages) shows p_A > Phi(r / sigma); before the last stage, stop when
  the Clopper-Pearson upper bound at beta / (s - 1) (beta = 1e-4) shows p_A < Phi(r / sigma). Sound by the
  union bound over the stages (each on fresh votes of a fixed size).
- `input_specific`: R. Chen, J. Li, J. Yan, P. Li, B. Sheng. Input-specific robustness certification for
  randomized smoothing. AAAI 2022 (ISS). A table gives, for p_A on a grid of 0.001, the least sample size
  (multiple of 200) whose Clopper-Pearson radius is within `loss` of the radius at the largest size; a pilot
  of 2,000 votes selects c_A and bounds p_A two-sidedly at alpha; the final size is the larger table entry at
  the two ends. As published the pilot is pooled into the final count (its size then depends on the votes it
  bounds, which the fixed-n guarantee does not cover); the "fresh" variant draws the final sample anew.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import betaincinv
from scipy.stats import norm

from rslib import bounds

__all__ = ["horvath_staged", "input_specific", "iss_table"]


def horvath_staged(count_votes, *, threshold: float, alpha: float, beta: float = 1e-4, stages=(1000, 10_000, 125_000)):
    """One staged run at the threshold Phi(r / sigma): (certified, passes, decided before the last stage ended)."""
    passes, s = 0, len(stages)
    for i, n in enumerate(stages):
        selection = np.asarray(count_votes(100))
        estimation = np.asarray(count_votes(n))
        passes += 100 + n
        count = int(estimation[int(selection.argmax())])
        if float(bounds.clopper_pearson(count, n, alpha / s)) >= threshold:
            return True, passes, True
        if i < s - 1 and float(bounds.clopper_pearson(count, n, beta / (s - 1), side="upper")) < threshold:
            return False, passes, True
    return False, passes, False


def _cp_lower_real(count, n, alpha):
    """Clopper-Pearson's lower bound with a real-valued count (for the table; nothing certified rests on it)."""
    count = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(count >= n, alpha ** (1.0 / n), betaincinv(np.maximum(count, 1e-12), n - count + 1, alpha))
    return np.where(count > 0, out, 0.0)


@functools.lru_cache(maxsize=16)
def iss_table(loss: float, sigma: float, alpha: float, batch: int = 200, max_size: int = 100_000) -> np.ndarray:
    """ISS's table: for p_A = 0.5, 0.501, ..., 1, the least multiple of `batch` whose radius (count p_A n) is
    >= the radius at max_size minus `loss` (0 where that target is <= 0)."""
    grid = 0.5 + 0.001 * np.arange(501)
    sizes = batch * np.arange(1, max_size // batch + 1)

    def radius(p, n):
        return sigma * norm.ppf(np.clip(_cp_lower_real(p * n, n, alpha), 1e-300, 1.0))

    table = np.zeros(grid.size, dtype=np.int64)
    for j, p in enumerate(grid):
        target = radius(p, max_size) - loss
        if target > 0:
            reached = np.nonzero(radius(p, sizes) >= target)[0]
            table[j] = sizes[reached[0]] if reached.size else max_size
    return table


def input_specific(
    count_votes, *, sigma: float, alpha: float, loss: float, n_pilot: int = 2000, max_size: int = 100_000
):
    """One ISS run: {"pooled": (label, p_a, passes), "fresh": (label, p_a, passes)}, both from one stream (the
    fresh variant's final votes follow the pilot; the pooled one uses the pilot and the first of them)."""
    pilot = np.asarray(count_votes(n_pilot))
    label = int(pilot.argmax())
    k = int(pilot[label])
    table = iss_table(loss, sigma, alpha, max_size=max_size)
    ends = (
        float(bounds.clopper_pearson(k, n_pilot, alpha / 2)),
        float(bounds.clopper_pearson(k, n_pilot, alpha / 2, side="upper")),
    )

    def lookup(p):  # the grid point at or above p and the one before, as the authors' code does
        i = min(int(np.searchsorted(0.5 + 0.001 * np.arange(501), min(max(p, 0.0), 1.0))), 500)
        return max(table[max(i - 1, 0)], table[i])

    size = int(max(lookup(ends[0]), lookup(ends[1])))
    if size == 0:
        return {"pooled": (-1, 0.0, n_pilot), "fresh": (-1, 0.0, n_pilot)}

    def draw(m):  # no call for no vote: a size at most the pilot's needs no vote beyond it for the pooled run
        return np.asarray(count_votes(m)) if m > 0 else np.zeros_like(pilot)

    first = draw(max(size - n_pilot, 0))  # pooled: the pilot and these
    rest = draw(size - max(size - n_pilot, 0))  # fresh: `first` and these
    pooled_n, pooled_k = max(size, n_pilot), k + int(first[label])
    fresh_k = int(first[label] + rest[label])
    return {
        "pooled": (label, float(bounds.clopper_pearson(pooled_k, pooled_n, alpha)), pooled_n),
        "fresh": (label, float(bounds.clopper_pearson(fresh_k, size, alpha)), n_pilot + size),
    }
