"""The argument checks shared by rslib (rslib._checks): what each accepts, what it refuses with the parameter
named, and the rounding toward safety that every radius and bound goes through."""

import numpy as np
import pytest

from rslib import _checks


def test_round_down_lands_strictly_below_by_its_error_bound_and_keeps_infinities():
    values = np.array([0.0, 1e-300, 0.3, 1.0, 123.456, -2.5])
    lowered = _checks.round_down(values)
    assert (lowered < values).all()
    # at least the relative error bound below, and no more than one ulp further
    assert (lowered <= values - np.abs(values) * 4 * _checks.EPS).all()
    assert (np.nextafter(lowered, np.inf) >= values - np.abs(values) * 4 * _checks.EPS).all()
    assert _checks.round_down(1.0, absolute_error=0.25, relative_error=0.0) == np.nextafter(0.75, -np.inf)
    assert list(_checks.round_down([np.inf, -np.inf])) == [np.inf, -np.inf]


def test_round_up_mirrors_round_down():
    values = np.array([0.0, 0.3, 1.0, -2.5])
    assert (_checks.round_up(values) > values).all()
    np.testing.assert_array_equal(_checks.round_up(values, 1e-3), -_checks.round_down(-values, 1e-3))


@pytest.mark.parametrize("value", [True, np.bool_(False), "0.9", b"1", None, [0.5, None], np.array([True]), ("1",)])
def test_values_numpy_would_coerce_are_not_numbers(value):
    with pytest.raises(TypeError, match=r"p_a must be a number or an array of numbers, got "):
        _checks.float_array("p_a", value)


def test_float_arrays_refuse_nan_and_keep_shapes():
    assert _checks.float_array("x", [[1, 2]]).shape == (1, 2) and _checks.float_array("x", 3).dtype == float
    with pytest.raises(ValueError, match="x must not be NaN"):
        _checks.float_array("x", [0.5, float("nan")])
    with pytest.raises(TypeError, match="x must be a number"):
        _checks.float_array("x", object())


def test_probabilities_and_margins_have_their_ranges():
    np.testing.assert_array_equal(_checks.probability("p", [0.0, 1.0]), [0.0, 1.0])
    np.testing.assert_array_equal(_checks.margin("m", [-1.0, 1.0]), [-1.0, 1.0])
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\], got \[0.5, 1.5\]"):
        _checks.probability("p", [0.5, 1.5])
    with pytest.raises(ValueError, match=r"m must lie in \[-1, 1\], got -1.5"):
        _checks.margin("m", -1.5)


@pytest.mark.parametrize("value", [0.0, -1.0, float("inf"), [0.5, 1.0], 1e101])
def test_a_noise_level_is_one_finite_number_above_zero_and_at_most_1e100(value):
    with pytest.raises(ValueError, match="sigma must be"):
        _checks.positive("sigma", value)


def test_levels_and_counts():
    assert _checks.positive("sigma", _checks.MAX_LEVEL) == 1e100 and _checks.level("alpha", 0.05) == 0.05
    for alpha in (0.0, 1.0, [0.1]):
        with pytest.raises(ValueError, match=r"alpha must lie in the open interval \(0, 1\)"):
            _checks.level("alpha", alpha)
    assert _checks.count("n", np.int64(3)) == 3 and type(_checks.count("n", np.int64(3))) is int
    assert _checks.count("k", 0, minimum=0) == 0
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        _checks.count("n", 0)
    for value in (True, 2.0, "3"):
        with pytest.raises(TypeError, match="n must be an integer >= 1"):
            _checks.count("n", value)


def test_integers_and_numbers_in_a_range():
    assert _checks.integer_in("label", 9, 0, 9) == 9
    with pytest.raises(ValueError, match=r"label must be an integer in \[0, 9\], got 10"):
        _checks.integer_in("label", 10, 0, 9)
    with pytest.raises(TypeError, match=r"label must be an integer in \[0, 9\], got True"):
        _checks.integer_in("label", True, 0, 9)
    assert _checks.number_in("p", 0.05, 0.05, 2) == 0.05
    with pytest.raises(ValueError, match=r"p must lie in \[0.05, 2\], got 2.5"):
        _checks.number_in("p", 2.5, 0.05, 2)


def test_nonnegative_radii_and_choices():
    np.testing.assert_array_equal(_checks.nonnegative("r", [0, 2.5]), [0.0, 2.5])
    for value in (-0.5, float("inf")):
        with pytest.raises(ValueError, match="r must be a finite number >= 0"):
            _checks.nonnegative("r", value)
    assert _checks.one_of("n", 100, (100, 1000)) == 100
    with pytest.raises(ValueError, match="n must be one of 100, 1000, got 500"):
        _checks.one_of("n", 500, (100, 1000))


def test_non_finite_logits_are_a_value_error():
    # callers that catch bad input (ValueError) also catch a broken model's logits
    assert issubclass(_checks.NonFiniteLogitsError, ValueError)
