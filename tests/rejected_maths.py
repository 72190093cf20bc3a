"""Cases of the README's "What is rejected" tables for radii, bounds and confidence sequences (README: 'Radii, bounds and confidence sequences').

Merged into test_rejected.CASES; see that module for the form of a case.
"""
import numpy as np  # noqa: F401

import test_rejected as base  # noqa: F401  (its helpers: base._cli, base._certify, base._smoothed, ...)

CASES = {
    "`bounds.clopper_pearson(10**16, 10**16, 0.001)`": lambda: base.bounds.clopper_pearson(10**16, 10**16, 0.001),
}
