"""Argument checks shared by rslib: every bad input fails loudly, naming the parameter and the allowed range."""

from __future__ import annotations

import numpy as np

__all__ = [
    "float_array",
    "EPS",
    "MAX_LEVEL",
    "round_down",
    "round_up",
    "probability",
    "margin",
    "positive",
    "level",
    "count",
    "integer_in",
    "number_in",
    "nonnegative",
    "one_of",
    "NonFiniteLogitsError",
]


def float_array(name: str, value) -> np.ndarray:
    # numpy turns True into 1.0, "0.9" into 0.9 and None into NaN: none of them is a number a user meant
    if _has_non_number(value):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN")
    return arr


EPS = float(np.finfo(float).eps)
MAX_LEVEL = 1e100  # the largest noise level (and radius) accepted: see `positive`


def round_down(value, absolute_error=0.0, relative_error=4 * EPS) -> np.ndarray:
    """`value` moved below the exact quantity it approximates: minus the bounds on its floating-point error
    (`absolute_error` plus `relative_error` times |value|), then one more ulp toward -inf.

    Radii and lower bounds go through this so that no returned value exceeds the exact one (a certificate
    may be a little smaller than the truth, never larger). Infinite values are kept; the error bounds are
    the caller's, from how the value was computed.
    """
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        lowered = np.nextafter(value - np.abs(value) * relative_error - absolute_error, -np.inf)
    return np.where(np.isfinite(value), lowered, value)


def round_up(value, absolute_error=0.0, relative_error=4 * EPS) -> np.ndarray:
    """`value` moved above the exact quantity it approximates (for upper bounds): see `round_down`."""
    return -round_down(-np.asarray(value, dtype=float), absolute_error, relative_error)


def _has_non_number(value) -> bool:
    """Whether value is (or holds) a bool, a str, bytes or None."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return True
    if isinstance(value, np.ndarray):
        return value.dtype == bool or value.dtype.kind in "OSU" and any(map(_has_non_number, value.ravel()))
    if isinstance(value, (list, tuple)):
        return any(map(_has_non_number, value))
    return False


def probability(name: str, value) -> np.ndarray:
    """`value` as a float array, checked to lie in [0, 1]."""
    arr = float_array(name, value)
    if ((arr < 0) | (arr > 1)).any():
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return arr


def margin(name: str, value) -> np.ndarray:
    """`value` as a float array, checked to lie in [-1, 1] (differences of two probabilities)."""
    arr = float_array(name, value)
    if ((arr < -1) | (arr > 1)).any():
        raise ValueError(f"{name} must lie in [-1, 1], got {value!r}")
    return arr


def positive(name: str, value) -> float:
    """A finite scalar > 0 (noise levels)."""
    arr = float_array(name, value)
    if arr.ndim != 0 or not np.isfinite(arr) or arr <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if arr > MAX_LEVEL:
        # a radius is the level times a quantile of up to ~40: above this it would overflow to inf
        raise ValueError(f"{name} must be at most 1e100, got {value!r}")
    return float(arr)


def level(name: str, value) -> float:
    """A significance level in the open interval (0, 1)."""
    arr = float_array(name, value)
    if arr.ndim != 0 or not 0 < arr < 1:
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return float(arr)


def count(name: str, value, minimum: int = 1) -> int:
    """An integer >= `minimum` (sample sizes, batch sizes)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def integer_in(name: str, value, low: int, high: int) -> int:
    """An integer in [low, high] (class indices, slider positions)."""
    message = f"{name} must be an integer in [{low}, {high}], got {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(message)
    if not low <= value <= high:
        raise ValueError(message)
    return int(value)


def number_in(name: str, value, low: float, high: float) -> float:
    """A number in [low, high] (slider positions)."""
    arr = float_array(name, value)
    if arr.ndim != 0 or not low <= arr <= high:
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got {value!r}")
    return float(arr)


def nonnegative(name: str, value) -> np.ndarray:
    """`value` as a float array, checked to be finite and >= 0 (radii)."""
    arr = float_array(name, value)
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return arr


def one_of(name: str, value, options) -> object:
    """One of a fixed list of options (drop-down choices)."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(str, options))}, got {value!r}")
    return value


class NonFiniteLogitsError(ValueError):
    """The model returned NaN or infinite logits: no vote (argmax) and no score can be trusted from them.

    A ValueError, so callers that catch bad input keep working; the command line turns it into a usage
    error (exit status 2).
    """
