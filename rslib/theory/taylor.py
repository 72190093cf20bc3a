"""The Taylor-polynomial margin estimator of Moutaouakil's manuscript (Section 5.3), kept only to show
that it is unsound (see the errata appendix). rslib never offers it as a certificate.

Phi^-1(p) = sqrt(2) erfinv(2p - 1), and erfinv(z) = sqrt(pi)/2 (z + pi/12 z^3 + 7 pi^2/480 z^5
+ 127 pi^3/40320 z^7 + ...). Truncating after the z^M term gives Phi_M^-1, a polynomial that is convex on
[1/2, 1] for M >= 3. The estimator averages Phi_M^-1(X1) - Phi_M^-1(X2) over samples; by Jensen's
inequality that average can exceed the true margin Phi^-1(E X1) - Phi^-1(E X2).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = ["inverse_normal_taylor", "counterexample"]

_ERFINV_COEFFICIENTS = {1: 1.0, 3: np.pi / 12, 5: 7 * np.pi**2 / 480, 7: 127 * np.pi**3 / 40320}


def inverse_normal_taylor(p, order: int):
    """Phi_M^-1(p): the Taylor polynomial of Phi^-1 around 1/2 up to the power `order` (1, 3, 5 or 7)."""
    if order not in _ERFINV_COEFFICIENTS:
        raise ValueError(f"order must be one of 1, 3, 5, 7, got {order!r}")
    z = 2.0 * np.asarray(p, float) - 1.0
    series = sum(c * z**power for power, c in _ERFINV_COEFFICIENTS.items() if power <= order)
    return np.sqrt(2.0) * np.sqrt(np.pi) / 2.0 * series


def counterexample(order: int) -> dict:
    """The two-class counterexample of chapter 5 and the errata: X1 = 1 or 1/2 with probability 1/2 each, X2 = 1 - X1.

    Returns the true margin Phi^-1(E X1) - Phi^-1(E X2) and the estimator's expectation E[Z_M]."""
    x1 = np.array([1.0, 0.5])
    z = inverse_normal_taylor(x1, order) - inverse_normal_taylor(1.0 - x1, order)
    mean_x1 = x1.mean()
    return {"true margin": float(norm.ppf(mean_x1) - norm.ppf(1.0 - mean_x1)), "E[Z_M]": float(z.mean())}
