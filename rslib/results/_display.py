"""Numbers shortened for display, rounded toward safety: radii, accuracies and lower bounds down, upper bounds up."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

__all__ = ["format_down", "format_up"]


def format_down(value: float, decimals: int, *, total: int | None = None) -> str:
    """`value` with `decimals` decimals, rounded toward -inf: for radii, accuracies and lower bounds shown.

    The rounding is done on the double's exact decimal value, so the text never shows more than the number.
    An accuracy is a fraction k/total, and the double nearest to it can sit just below it (41/50 is stored as
    0.81999...): pass `total` and the fraction itself is rounded, so 41/50 shows as 0.82, not 0.81.

    Parameters
    ----------
    value : float
        The number (a numpy scalar too).
    decimals : int
        Digits after the decimal point, >= 0.
    total : int, optional
        The denominator when `value` is a count divided by `total` (the inputs behind a certified accuracy).
        A value that is no such fraction (more than a rounding error away from every k/total) is rounded as
        a double.

    Returns
    -------
    str
        E.g. ``format_down(0.12345, 3) == "0.123"``, ``format_down(0.82, 2, total=50) == "0.82"``; ``"inf"``,
        ``"-inf"`` or ``"nan"`` as `repr` writes them.
    """
    if total is not None and total > 0 and math.isfinite(value):
        count = round(float(value) * total)
        if count / total == float(value):
            # floor(count / total) at `decimals` digits, in integers: exact for any denominator
            return str(Decimal(count * 10**decimals // total).scaleb(-decimals))
    return _format_directed(value, decimals, ROUND_FLOOR)


def format_up(value: float, decimals: int) -> str:
    """`value` with `decimals` decimals, rounded toward +inf: for upper bounds shown.

    Parameters
    ----------
    value : float
        The number (a numpy scalar too).
    decimals : int
        Digits after the decimal point, >= 0.

    Returns
    -------
    str
        E.g. ``format_up(0.12301, 3) == "0.124"``; non-finite values as `repr` writes them.
    """
    return _format_directed(value, decimals, ROUND_CEILING)


def _format_directed(value, decimals: int, rounding: str) -> str:
    value = float(value)
    if not math.isfinite(value):
        return repr(value)
    # Decimal(value) is the double's exact value, so the rounding direction holds for the double itself.
    return str(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=rounding))
