"""Numbers shown to a reader (rslib.results._display): bounds rounded toward safety."""

from rslib import results


def test_displayed_bounds_are_rounded_toward_safety():
    assert results.format_down(0.49999996, 3) == "0.499"
    assert results.format_down(0.5, 3) == "0.500"
    assert results.format_up(0.4991, 3) == "0.500"
    assert results.format_down(0.1, 1) == "0.1"  # 0.1 is a hair above 1/10: still shown as 0.1
    assert results.format_down(-0.25, 1) == "-0.3"


def test_an_accuracy_is_rounded_down_as_the_fraction_it_is():
    # the doubles of 41/50, 372/500 and 3/10 sit just below the fractions: rounded as doubles they lose a digit
    assert results.format_down(41 / 50, 2) == "0.81"
    assert results.format_down(41 / 50, 2, total=50) == "0.82"
    assert results.format_down(372 / 500, 4, total=500) == "0.7440"
    assert results.format_down(3 / 10, 2, total=10) == "0.30"
    assert results.format_down(2 / 3, 3, total=3) == "0.666"  # still rounded down
    assert results.format_down(1.0, 3, total=7) == "1.000"
    assert results.format_down(0.8199, 2, total=50) == "0.81"  # no k/50: rounded as a double
    assert results.format_down(float("nan"), 2, total=50) == "nan"


def test_accuracy_tables_show_fractions_of_their_inputs():
    table = results.AccuracyTable(["a"], [0.0], [[41 / 50]], [50])
    assert "0.82" in table.markdown() and "0.820" in table.text()
