"""Numbers shown to a reader (rslib.results._display): bounds rounded toward safety."""

from rslib import results


def test_displayed_bounds_are_rounded_toward_safety():
    assert results.format_down(0.49999996, 3) == "0.499"
    assert results.format_down(0.5, 3) == "0.500"
    assert results.format_up(0.4991, 3) == "0.500"
    assert results.format_down(0.1, 1) == "0.1"  # 0.1 is a hair above 1/10: still shown as 0.1
    assert results.format_down(-0.25, 1) == "-0.3"
