"""Argument checks shared by rslib: every bad input fails loudly, naming the parameter and the allowed range."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

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


def float_array(name: str, value: object) -> np.ndarray:
    """`value` as a float array, refusing what is not a number even where numpy would convert it.

    numpy turns True into 1.0, "0.9" into 0.9 and None into NaN: none of them is a number a user meant.

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A number or an array of numbers.

    Returns
    -------
    numpy.ndarray
        Of dtype float64, 0-d for a scalar.

    Raises
    ------
    TypeError
        If value is or holds a bool, a str, bytes or None, or is not numeric.
    ValueError
        If value is or holds NaN.
    """
    if _has_non_number(value):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN")
    return arr


_T = TypeVar("_T")

EPS = float(np.finfo(float).eps)
MAX_LEVEL = 1e100  # the largest noise level (and radius) accepted: see `positive`


def round_down(value: ArrayLike, absolute_error: ArrayLike = 0.0, relative_error: float = 4 * EPS) -> np.ndarray:
    r"""`value` moved below the exact quantity it approximates, by the bounds on its floating-point error:

    .. math:: \operatorname{nextafter}\left(v - |v|\,\epsilon_\mathrm{rel} - \epsilon_\mathrm{abs},\ -\infty\right).

    Radii and lower bounds go through this so that no returned value exceeds the exact one (a certificate
    may be a little smaller than the truth, never larger). Infinite values are kept; the error bounds are
    the caller's, from how the value was computed.

    Parameters
    ----------
    value : float or array_like
        The computed value v.
    absolute_error : float or array_like, default 0.0
        A bound :math:`\epsilon_\mathrm{abs}` on its absolute error (broadcasts with value).
    relative_error : float, default 4 * EPS
        A bound :math:`\epsilon_\mathrm{rel}` on its error relative to :math:`|v|`.

    Returns
    -------
    numpy.ndarray
        Of dtype float64, shaped like value broadcast with absolute_error (0-d for scalars).
    """
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        lowered = np.nextafter(value - np.abs(value) * relative_error - absolute_error, -np.inf)
    return np.where(np.isfinite(value), lowered, value)


def round_up(value: ArrayLike, absolute_error: ArrayLike = 0.0, relative_error: float = 4 * EPS) -> np.ndarray:
    """`value` moved above the exact quantity it approximates, for upper bounds: the mirror of `round_down`.

    Parameters
    ----------
    value : float or array_like
        The computed value.
    absolute_error : float or array_like, default 0.0
        A bound on its absolute error.
    relative_error : float, default 4 * EPS
        A bound on its error relative to its magnitude.

    Returns
    -------
    numpy.ndarray
        Of dtype float64 (0-d for scalars).
    """
    return -round_down(-np.asarray(value, dtype=float), absolute_error, relative_error)


def _has_non_number(value: object) -> bool:
    """Whether value is (or holds) a bool, a str, bytes or None."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return True
    if isinstance(value, np.ndarray):
        return value.dtype == bool or value.dtype.kind in "OSU" and any(map(_has_non_number, value.ravel()))
    if isinstance(value, (list, tuple)):
        return any(map(_has_non_number, value))
    return False


def probability(name: str, value: object) -> np.ndarray:
    """`value` as a float array, checked to lie in [0, 1] (probabilities and their bounds).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A number or an array of numbers.

    Returns
    -------
    numpy.ndarray
        Of dtype float64, 0-d for a scalar.

    Raises
    ------
    TypeError
        As `float_array`.
    ValueError
        If a value is NaN or lies outside [0, 1].
    """
    return _array_in(name, value, 0, 1)


def margin(name: str, value: object) -> np.ndarray:
    """`value` as a float array, checked to lie in [-1, 1] (differences of two probabilities).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A number or an array of numbers.

    Returns
    -------
    numpy.ndarray
        Of dtype float64, 0-d for a scalar.

    Raises
    ------
    TypeError
        As `float_array`.
    ValueError
        If a value is NaN or lies outside [-1, 1].
    """
    return _array_in(name, value, -1, 1)


def _array_in(name: str, value: object, low: int, high: int) -> np.ndarray:
    """The core of `probability` and `margin`: `float_array`, then every value in [low, high]."""
    arr = float_array(name, value)
    if ((arr < low) | (arr > high)).any():
        raise ValueError(f"{name} must lie in [{low}, {high}], got {value!r}")
    return arr


def positive(name: str, value: object) -> float:
    """A finite scalar in (0, MAX_LEVEL] (noise levels, radii).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A number.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        As `float_array`.
    ValueError
        If value is not a scalar, not finite, <= 0 or above 1e100.
    """
    arr = float_array(name, value)
    if arr.ndim != 0 or not np.isfinite(arr) or arr <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if arr > MAX_LEVEL:
        # a radius is the level times a quantile of up to ~40: above this it would overflow to inf
        raise ValueError(f"{name} must be at most 1e100, got {value!r}")
    return float(arr)


def level(name: str, value: object) -> float:
    """A significance level in the open interval (0, 1).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A number.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        As `float_array`.
    ValueError
        If value is not a scalar in (0, 1).
    """
    arr = float_array(name, value)
    if arr.ndim != 0 or not 0 < arr < 1:
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return float(arr)


def count(name: str, value: object, minimum: int = 1) -> int:
    """An integer >= `minimum` (sample sizes, batch sizes).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A Python or numpy integer (not a bool).
    minimum : int, default 1
        The smallest value allowed.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If value is not an integer.
    ValueError
        If value < minimum.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def integer_in(name: str, value: object, low: int, high: int) -> int:
    """An integer in [low, high] (class indices, slider positions).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A Python or numpy integer (not a bool).
    low, high : int
        The allowed range, both ends included.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If value is not an integer.
    ValueError
        If value lies outside [low, high].
    """
    message = f"{name} must be an integer in [{low}, {high}], got {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(message)
    if not low <= value <= high:
        raise ValueError(message)
    return int(value)


def number_in(name: str, value: object, low: float, high: float) -> float:
    """A number in [low, high] (slider positions, tolerances).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A number.
    low, high : float
        The allowed range, both ends included.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        As `float_array`.
    ValueError
        If value is not a scalar in [low, high].
    """
    arr = float_array(name, value)
    if arr.ndim != 0 or not low <= arr <= high:
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got {value!r}")
    return float(arr)


def nonnegative(name: str, value: object) -> np.ndarray:
    """`value` as a float array, checked to be finite and >= 0 (radii).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        A number or an array of numbers.

    Returns
    -------
    numpy.ndarray
        Of dtype float64, 0-d for a scalar.

    Raises
    ------
    TypeError
        As `float_array`.
    ValueError
        If a value is NaN, infinite or negative.
    """
    arr = float_array(name, value)
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return arr


def one_of(name: str, value: _T, options: Collection[_T]) -> _T:
    """One of a fixed list of options (drop-down choices).

    Parameters
    ----------
    name : str
        The parameter's name, for the error message.
    value : object
        The choice.
    options : container
        The allowed choices (listed in the message when value is not among them).

    Returns
    -------
    object
        value itself.

    Raises
    ------
    ValueError
        If value is not in options.
    """
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(str, options))}, got {value!r}")
    return value


class NonFiniteLogitsError(ValueError):
    """The model returned NaN or infinite logits: no vote (argmax) and no score can be trusted from them.

    A ValueError, so callers that catch bad input keep working; the command line turns it into a usage
    error (exit status 2).
    """
