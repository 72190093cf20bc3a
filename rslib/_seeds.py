"""Seeds: the range torch and numpy accept, and the per-input seed of a dataset run.

Private: used by the engine (generators), the results files (each row's seed is checked against its
header) and the command line.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SEED_MAX", "check_seed", "input_seed"]

SEED_MAX = 2**63 - 1  # torch takes seeds below 2**64; results files keep them as signed 64-bit integers


def check_seed(seed: object) -> int:
    """`seed` as an int, after checking that it is an integer in [0, 2**63 - 1].

    Parameters
    ----------
    seed : object
        A Python or numpy integer (a bool is not a seed).

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If `seed` is not an integer.
    ValueError
        If it lies outside [0, 2**63 - 1].
    """
    message = f"seed must be an integer in [0, 2**63 - 1], got {seed!r}"
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(message)
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(message)
    return int(seed)


def input_seed(seed: int, idx: int) -> int:
    """The seed of input `idx` of a run seeded by `seed`.

    A function of (seed, idx) only, through numpy's `SeedSequence`, so that an input's samples do not depend
    on how the inputs are sharded, packed or ordered.

    Parameters
    ----------
    seed : int
        The run's seed, >= 0.
    idx : int
        The input's index in its dataset, >= 0.

    Returns
    -------
    int
        A seed in [0, 2**32 - 1].
    """
    return int(np.random.SeedSequence([seed, idx]).generate_state(1)[0])
