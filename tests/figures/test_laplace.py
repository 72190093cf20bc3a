"""Chapter 2's figures (rslib.figures._laplace): the half-space of Theorem 3 as {T > beta} plus a part of a level
set."""

from __future__ import annotations

import numpy as np

from rslib import figures


def test_level_set_figure_follows_the_case_analysis():
    fig = figures.half_space_as_level_sets(delta_norm=1.0, thresholds=(0.0, 0.3, 1.4))
    z = np.asarray(fig.data[0].x)
    for step, t in zip(fig.layout.sliders[0].steps, (0.0, 0.3, 1.4)):
        statistic, above, level, beta = (np.asarray(y, float) for y in step.args[0]["y"])
        inside = z <= t
        # together {T > beta} and S' cover exactly the half-space, and S' lies on the level beta
        covered = ~np.isnan(above) | ~np.isnan(level)
        assert np.array_equal(covered, inside)
        assert np.allclose(level[~np.isnan(level)], beta[0])
        assert np.all(above[~np.isnan(above)] > beta[0])
        assert beta[0] == {0.0: 1.0, 0.3: 1.0 - 2 * 0.3, 1.4: -1.0}[t]
        assert np.array_equal(~np.isnan(above), inside & (statistic > beta[0] + 1e-12))
