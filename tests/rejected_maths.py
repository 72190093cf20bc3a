"""Cases of the README's "What is rejected" tables for radii, bounds and confidence sequences (README: 'Radii, bounds and confidence sequences').

Merged into test_rejected.CASES; see that module for the form of a case.
"""

import numpy as np  # noqa: F401
import test_rejected as base

from rslib import theory

CASES = {
    "`bounds.clopper_pearson(10**16, 10**16, 0.001)`": lambda: base.bounds.clopper_pearson(10**16, 10**16, 0.001),
    "`certificates.gaussian_l2(True, sigma=1.0)`": lambda: base.certificates.gaussian_l2(True, sigma=1.0),
    '`certificates.gaussian_l2("0.9", sigma=1)`': lambda: base.certificates.gaussian_l2("0.9", sigma=1),
    "`certificates.gaussian_l2(None, sigma=1)`": lambda: base.certificates.gaussian_l2(None, sigma=1),
    "`certificates.gaussian_topk_l2(0.9, [[0.5]], sigma=1.0)`": lambda: base.certificates.gaussian_topk_l2(
        0.9, [[0.5]], sigma=1.0
    ),
    "`certificates.ablation_l0(0.9, [[0.5]], d=784, keep=50)`": lambda: base.certificates.ablation_l0(
        0.9, [[0.5]], d=784, keep=50
    ),
    "`certificates.gaussian_l2(0.9, sigma=1e308)`": lambda: base.certificates.gaussian_l2(0.9, sigma=1e308),
    "`bounds.margin_lower(8, 1, 10, 0.05, tolerance=-1)`": lambda: base.bounds.margin_lower(
        8, 1, 10, 0.05, tolerance=-1
    ),
    '`bounds.margin_lower(8, 1, 10, 0.05, tolerance=float("nan"))`': lambda: base.bounds.margin_lower(
        8, 1, 10, 0.05, tolerance=float("nan")
    ),
    "`certificates.pixeldp_l2(0.9, 0.05, sigma=1.0, grid=0)`": lambda: base.certificates.pixeldp_l2(
        0.9, 0.05, sigma=1.0, grid=0
    ),
    "`certificates.levine_feizi_l0(0.9, d=10**6, keep=500_000)`": lambda: base.certificates.levine_feizi_l0(
        0.9, d=10**6, keep=500_000
    ),
    "`certificates.l2_to_l0(1.0, channels=0)`": lambda: base.certificates.l2_to_l0(1.0, channels=0),
    "`bounds.randomized_clopper_pearson(3, 10, 0.05, seed=-1)`": lambda: base.bounds.randomized_clopper_pearson(
        3, 10, 0.05, seed=-1
    ),
    "`bounds.sequential_plan(1.2, alpha=0.001, n_max=1000)`": lambda: base.bounds.sequential_plan(
        1.2, alpha=0.001, n_max=1000
    ),
    "`bounds.beta_mixture_log_e(5, 10, 0.5, prior=(0, 1))`": lambda: base.bounds.beta_mixture_log_e(
        5, 10, 0.5, prior=(0, 1)
    ),
    "`bounds.look_schedule(1000, ratio=1.0)`": lambda: base.bounds.look_schedule(1000, ratio=1.0),
    "`theory.sample_size.wald_samples(0.9, 0.8, alpha=0)`": lambda: theory.sample_size.wald_samples(0.9, 0.8, alpha=0),
    "`theory.floating_point.rounded_gaussian_table(0.5, step=0)`": lambda: theory.floating_point.rounded_gaussian_table(
        0.5, step=0
    ),
}
