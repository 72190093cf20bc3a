"""Certified radii from probability bounds: one function per theorem (numpy and scipy only).

Every certificate is called the same way::

    radius = certificates.gaussian_l2(p_a, p_b, sigma=0.5)

- ``p_a`` is a lower confidence bound on the top class's probability, ``p_b`` an upper bound on every
  other class's (``None``: the binary bound 1 - p_a; top-k certificates also take every other class's
  bound, on an extra last axis of p_b). Bounds that cannot both hold (p_a + p_b > 1) are refused.
- The noise's parameters are keyword-only (``sigma=``, ``scale=``, ``d=``, ``keep=``), so an argument in
  the wrong position is a TypeError, never another certificate.
- Scalar in, scalar out (numpy scalars); arrays broadcast.
- Where the bounds certify nothing (p_a <= p_b, as the theorems need strict inequality), the radius is
  ``NOT_CERTIFIED`` (-1) in every norm. A returned radius is never larger than the exact one, in
  floating point too: it is rounded toward 0 by a bound on its error.

`REGISTRY` lists the certificates with their noise, norm and source, so that tables and tests can
call each one as ``REGISTRY[name].radius(p_a, p_b, **levels)``.
"""

from rslib.certificates._common import NOT_CERTIFIED
from rslib.certificates._gaussian import gaussian_l1, gaussian_l2, gaussian_l2_margin, soft_margin_l2
from rslib.certificates._laplace import laplace_l1, lecuyer_l1
from rslib.certificates._registry import (
    FAMILIES,
    REGISTRY,
    CertificateInfo,
    NoiseFamily,
    certificates_for,
    family_from_params,
    radii_at_equal_variance,
)
from rslib.certificates._renyi import pixeldp_l2, renyi_l1, renyi_l2, renyi_optimal_order
from rslib.certificates._topk import ablation_delta, ablation_l0, gaussian_topk_l2, l2_to_l0, levine_feizi_l0

__all__ = [
    "NOT_CERTIFIED",
    "gaussian_l2",
    "gaussian_l1",
    "gaussian_l2_margin",
    "soft_margin_l2",
    "laplace_l1",
    "lecuyer_l1",
    "renyi_l2",
    "renyi_l1",
    "renyi_optimal_order",
    "pixeldp_l2",
    "gaussian_topk_l2",
    "ablation_l0",
    "levine_feizi_l0",
    "ablation_delta",
    "l2_to_l0",
    "REGISTRY",
    "CertificateInfo",
    "FAMILIES",
    "NoiseFamily",
    "family_from_params",
    "certificates_for",
    "radii_at_equal_variance",
]
