"""Cases of the README's "What is rejected" tables for results files and the command line (README: 'The command line' and 'Results files and checkpoints').

Merged into test_rejected.CASES; see that module for the form of a case.
"""
import numpy as np  # noqa: F401

import test_rejected as base  # noqa: F401  (its helpers: base._cli, base._certify, base._smoothed, ...)

CASES = {
}
