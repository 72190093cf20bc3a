r"""Norm equivalences in :math:`\mathbb{R}^d` (ETH exercise sheet on randomized smoothing, Problem 3): a
certificate in one norm implies certificates in the others.

:math:`\|x\|_p \le c\,\|x\|_q` with the tightest c: c = 1 when p >= q (moving to a larger p never grows the norm),
and :math:`c = d^{1/p - 1/q}` when p < q (Hölder's inequality, attained by the all-ones vector).

References
----------
O. Hölder. Ueber einen Mittelwerthsatz. Nachrichten von der Königl. Gesellschaft der Wissenschaften zu
Göttingen, 1889.
SRI Lab, ETH Zurich. Exercise 12: Randomized smoothing. RIAI course exercise sheet.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rslib import _checks

__all__ = ["lp_norm", "tightest_constant", "largest_observed_ratio", "ball_is_contained"]


def lp_norm(x: ArrayLike, p: float) -> np.ndarray:
    """The l_p norm along the last axis.

    Parameters
    ----------
    x : array_like, shape (..., d)
        Vectors.
    p : float
        1, 2, ``numpy.inf``, or any p >= 1.

    Returns
    -------
    numpy.ndarray, shape (...)
    """
    return np.linalg.norm(np.asarray(x, float), ord=p, axis=-1)


def tightest_constant(p: float, q: float, d: int) -> float:
    r"""The smallest c with :math:`\|x\|_p \le c\,\|x\|_q` for every x in :math:`\mathbb{R}^d`:

    .. math:: c = 1 \text{ for } p \ge q, \qquad c = d^{1/p - 1/q} \text{ for } p < q.

    Parameters
    ----------
    p, q : float
        The norms' exponents, >= 1 (``numpy.inf`` allowed).
    d : int
        The dimension, >= 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If p or q is below 1, or d < 1.

    References
    ----------
    O. Hölder. Ueber einen Mittelwerthsatz. Nachrichten von der Königl. Gesellschaft der Wissenschaften zu
    Göttingen, 1889.
    SRI Lab, ETH Zurich. Exercise 12: Randomized smoothing. RIAI course exercise sheet, Problem 3.
    """
    d = _checks.count("d", d)
    for name, value in (("p", p), ("q", q)):
        if not value >= 1:
            raise ValueError(f"{name} must be >= 1 (or inf), got {value!r}")
    return 1.0 if p >= q else float(d ** (1.0 / p - 1.0 / q))


def largest_observed_ratio(p: float, q: float, d: int, samples: int = 20_000, seed: int = 0) -> float:
    r"""The largest :math:`\|x\|_p / \|x\|_q` over random vectors of several sparsities, :math:`e_1` and the all-ones
    vector: a numerical check from below of `tightest_constant`, which it never exceeds and reaches on the
    extremal vectors.

    Parameters
    ----------
    p, q : float
        The norms' exponents, >= 1.
    d : int
        The dimension, >= 1.
    samples : int, default 20_000
        Random vectors tried besides the two extremal ones.
    seed : int, default 0
        Seed of numpy's generator.

    Returns
    -------
    float
    """
    d = _checks.count("d", d)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, d))
    sparsity = rng.integers(1, d + 1, size=samples)
    x[np.arange(d) >= sparsity[:, None]] = 0.0
    x = np.vstack([x, np.eye(d)[:1], np.ones((1, d))])
    return float((lp_norm(x, p) / lp_norm(x, q)).max())


def ball_is_contained(p_inner: float, r_inner: float, p_outer: float, r_outer: float, d: int) -> bool:
    r"""Whether the :math:`l_{p_\mathrm{inner}}` ball of radius `r_inner` lies in the :math:`l_{p_\mathrm{outer}}`
    ball of radius `r_outer` in :math:`\mathbb{R}^d`: :math:`c\,r_\mathrm{inner} \le r_\mathrm{outer}`, c the
    `tightest_constant` of :math:`\|x\|_{p_\mathrm{outer}} \le c\,\|x\|_{p_\mathrm{inner}}` (a relative tolerance of 1e-12).

    A certificate on the outer ball then holds on the inner one.

    Parameters
    ----------
    p_inner, p_outer : float
        The norms' exponents, >= 1.
    r_inner, r_outer : float
        The radii.
    d : int
        The dimension, >= 1.

    Returns
    -------
    bool

    References
    ----------
    SRI Lab, ETH Zurich. Exercise 12: Randomized smoothing. RIAI course exercise sheet, Problem 3.
    O. Hölder. Ueber einen Mittelwerthsatz. Nachrichten von der Königl. Gesellschaft der Wissenschaften zu
    Göttingen, 1889.
    """
    return r_inner * tightest_constant(p_outer, p_inner, d) <= r_outer * (1 + 1e-12)
