"""Numbers shortened for display, rounded toward safety: radii, accuracies and lower bounds down, upper bounds up."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

__all__ = ["format_down", "format_up"]


def format_down(value, decimals: int) -> str:
    """value with `decimals` decimals, rounded toward -inf: for radii, accuracies and lower bounds shown."""
    return _format_directed(value, decimals, ROUND_FLOOR)


def format_up(value, decimals: int) -> str:
    """value with `decimals` decimals, rounded toward +inf: for upper bounds shown."""
    return _format_directed(value, decimals, ROUND_CEILING)


def _format_directed(value, decimals: int, rounding: str) -> str:
    value = float(value)
    if not math.isfinite(value):
        return repr(value)
    # Decimal(value) is the double's exact value, so the rounding direction holds for the double itself.
    return str(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=rounding))
