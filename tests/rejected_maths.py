"""Cases of the README's "What is rejected" tables for radii, bounds and confidence sequences (README: 'Radii, bounds and confidence sequences').

Merged into test_rejected.CASES; see that module for the form of a case.
"""
import numpy as np  # noqa: F401

import test_rejected as base  # noqa: F401  (its helpers: base._cli, base._certify, base._smoothed, ...)

CASES = {
    "`bounds.clopper_pearson(10**16, 10**16, 0.001)`": lambda: base.bounds.clopper_pearson(10**16, 10**16, 0.001),
    '`radii.gaussian_l2(True, 1.0)`': lambda: base.radii.gaussian_l2(True, 1.0),
    '`radii.gaussian_l2("0.9", 1)`': lambda: base.radii.gaussian_l2("0.9", 1),
    '`radii.gaussian_l2(None, 1)`': lambda: base.radii.gaussian_l2(None, 1),
    '`radii.gaussian_topk_l2(0.9, [[0.5]], 1.0)`': lambda: base.radii.gaussian_topk_l2(0.9, [[0.5]], 1.0),
    '`radii.ablation_l0(0.9, [[0.5]], 784, 50)`': lambda: base.radii.ablation_l0(0.9, [[0.5]], 784, 50),
    '`radii.gaussian_l2(0.9, 1e308)`': lambda: base.radii.gaussian_l2(0.9, 1e308),
    '`bounds.margin_lower(8, 1, 10, 0.05, tolerance=-1)`': lambda: base.bounds.margin_lower(8, 1, 10, 0.05, tolerance=-1),
    '`bounds.margin_lower(8, 1, 10, 0.05, tolerance=float("nan"))`': lambda: base.bounds.margin_lower(8, 1, 10, 0.05, tolerance=float("nan")),
    '`radii.pixeldp_l2(0.9, 0.05, 1.0, grid=0)`': lambda: base.radii.pixeldp_l2(0.9, 0.05, 1.0, grid=0),
    '`radii.l2_to_l0(1.0, channels=0)`': lambda: base.radii.l2_to_l0(1.0, channels=0),
}
