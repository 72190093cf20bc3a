r"""The Taylor-polynomial margin estimator of Moutaouakil's manuscript (its Section 5.3), kept only to show that
it is unsound; rslib never offers it as a certificate.

:math:`\Phi^{-1}(p) = \sqrt{2}\,\operatorname{erfinv}(2p - 1)`, and
:math:`\operatorname{erfinv}(z) = \frac{\sqrt{\pi}}{2}\left(z + \frac{\pi}{12} z^3 + \frac{7\pi^2}{480} z^5 + \frac{127\pi^3}{40320} z^7 + \dots\right)`.
Truncating after the :math:`z^M` term gives :math:`\Phi_M^{-1}`, a polynomial that is convex on [1/2, 1] for
M >= 3. The estimator averages :math:`\Phi_M^{-1}(\xi^A) - \Phi_M^{-1}(\xi^B)` over samples, but the manuscript's
Lemma 2, meant to justify it, compares :math:`\Phi_M^{-1}` and :math:`\Phi^{-1}` at the class probabilities, not
at the samples: by Jensen's inequality the average can exceed the true margin
:math:`\Phi^{-1}(E \xi^A) - \Phi^{-1}(E \xi^B)`, and a lower confidence bound on it then lies above the truth.

References
----------
Z. Moutaouakil. Optimal certified radius estimation in randomized smoothing. Manuscript, Université Paris Cité.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

__all__ = ["inverse_normal_taylor", "counterexample"]

_ERFINV_COEFFICIENTS = {1: 1.0, 3: np.pi / 12, 5: 7 * np.pi**2 / 480, 7: 127 * np.pi**3 / 40320}


def inverse_normal_taylor(p: ArrayLike, order: int) -> np.float64 | np.ndarray:
    r""":math:`\Phi_M^{-1}(p)`: the Taylor polynomial of :math:`\Phi^{-1}` around 1/2 up to the power M = `order`,

    .. math:: \Phi_M^{-1}(p) = \sqrt{2}\,\frac{\sqrt{\pi}}{2} \sum_{m \le M,\ m \text{ odd}} c_m (2p - 1)^m,
              \qquad c_1 = 1,\ c_3 = \frac{\pi}{12},\ c_5 = \frac{7\pi^2}{480},\ c_7 = \frac{127\pi^3}{40320}.

    Parameters
    ----------
    p : float or array_like
        Probabilities.
    order : {1, 3, 5, 7}
        The highest power M.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        Shaped like p; a scalar for a scalar p.

    Raises
    ------
    ValueError
        If order is not 1, 3, 5 or 7.

    References
    ----------
    Z. Moutaouakil. Optimal certified radius estimation in randomized smoothing. Manuscript, Université Paris
    Cité: Section 5.3.
    """
    if order not in _ERFINV_COEFFICIENTS:
        raise ValueError(f"order must be one of 1, 3, 5, 7, got {order!r}")
    z = 2.0 * np.asarray(p, float) - 1.0
    series = sum(c * z**power for power, c in _ERFINV_COEFFICIENTS.items() if power <= order)
    return np.sqrt(2.0) * np.sqrt(np.pi) / 2.0 * series


def counterexample(order: int) -> dict[str, float]:
    r"""A two-class distribution on which the Taylor estimator's expectation exceeds the true margin (chapter 5).

    :math:`\xi^A` is 1 or 1/2 with probability 1/2 each and :math:`\xi^B = 1 - \xi^A`; :math:`Z_M` is
    :math:`\Phi_M^{-1}(\xi^A) - \Phi_M^{-1}(\xi^B)`. For every order M >= 3, :math:`E[Z_M]` exceeds
    :math:`\Phi^{-1}(E \xi^A) - \Phi^{-1}(E \xi^B)`, so the estimator of the manuscript's Section 5.3 overstates the
    margin (for M = 1, an affine map, it stays below).

    Parameters
    ----------
    order : {1, 3, 5, 7}
        The highest power M of the Taylor polynomial.

    Returns
    -------
    dict of str to float
        "true margin" and "E[Z_M]".

    References
    ----------
    Z. Moutaouakil. Optimal certified radius estimation in randomized smoothing. Manuscript, Université Paris
    Cité: Section 5.3 and its Lemma 2.
    """
    x1 = np.array([1.0, 0.5])
    z = inverse_normal_taylor(x1, order) - inverse_normal_taylor(1.0 - x1, order)
    mean_x1 = x1.mean()
    return {"true margin": float(norm.ppf(mean_x1) - norm.ppf(1.0 - mean_x1)), "E[Z_M]": float(z.mean())}
