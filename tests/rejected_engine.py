"""Cases of the README's "What is rejected" tables for the engine, models and widgets (README: 'The engine: ...' and 'Widgets and figures').

Merged into test_rejected.CASES; see that module for the form of a case.
"""
import numpy as np  # noqa: F401

import test_rejected as base  # noqa: F401  (its helpers: base._cli, base._certify, base._smoothed, ...)

CASES = {
}
