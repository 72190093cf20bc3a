"""What the figures share (rslib.figures._common): colours, dash styles, the slider, and how "not certified" is
drawn."""

import numpy as np

from rslib import figures
from rslib.certificates import NOT_CERTIFIED
from rslib.figures import _common


def test_colours_and_dashes_are_distinct():
    assert len(set(figures.COLORS)) == len(figures.COLORS) == 10
    assert all(c.startswith("#") and len(c) == 7 for c in figures.COLORS)
    assert len(set(figures.DASHES)) == len(figures.DASHES) and figures.DASHES[0] == "solid"


def test_a_slider_holds_its_precomputed_steps():
    steps = [{"method": "restyle", "label": str(k), "args": [{"y": [[k]]}, [0]]} for k in range(3)]
    made = _common.slider(steps, "keep = ", active=2)
    assert made["steps"] is steps and made["active"] == 2 and made["currentvalue"] == {"prefix": "keep = "}
    assert _common.slider(steps, "p = ")["active"] == 0


def test_not_certified_is_drawn_as_a_gap():
    radii = np.array([NOT_CERTIFIED, 0.0, 0.25, np.inf, NOT_CERTIFIED])
    shown = _common.drawn(radii)
    assert np.isnan(shown[[0, 4]]).all() and list(shown[1:4]) == [0.0, 0.25, np.inf]
    assert np.isnan(_common.drawn(NOT_CERTIFIED)) and _common.drawn([3]).dtype == float
