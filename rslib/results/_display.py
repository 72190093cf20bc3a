"""Numbers shortened for display, rounded toward safety: radii, accuracies and lower bounds down, upper bounds up."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

__all__ = ["format_down", "format_up"]


def format_down(value: float, decimals: int) -> str:
    """`value` with `decimals` decimals, rounded toward -inf: for radii, accuracies and lower bounds shown.

    The rounding is done on the double's exact decimal value, so the text never shows more than the number.

    Parameters
    ----------
    value : float
        The number (a numpy scalar too).
    decimals : int
        Digits after the decimal point, >= 0.

    Returns
    -------
    str
        E.g. ``format_down(0.12345, 3) == "0.123"``; ``"inf"``, ``"-inf"`` or ``"nan"`` as `repr` writes them.
    """
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
