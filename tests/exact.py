"""Classifiers whose smoothed version is known exactly, shared by the soundness tests.

Three slabs along one axis: class 0 below t1, class 1 between t1 and t2, class 2 above t2. Under noise
with 1-D CDF `cdf` along that axis, the smoothed class probabilities at position p are differences of
the CDF, and the exact robust radius is the shortest move along the axis that changes the argmax.
"""
import numpy as np
from scipy import optimize


def slab_probabilities(cdf, position, t1, t2):
    low, high = cdf(t1 - position), cdf(t2 - position)
    return np.array([low, high - low, 1.0 - high])


def exact_slab_radius(cdf, position, t1, t2):
    """Shortest |s| with argmax of the smoothed probabilities at position + s different from at position."""
    top = np.argmax(slab_probabilities(cdf, position, t1, t2))

    def margin(s):
        p = slab_probabilities(cdf, position + s, t1, t2)
        return p[top] - np.delete(p, top, axis=0).max(axis=0)

    best = np.inf
    for direction in (1.0, -1.0):
        steps = np.linspace(0, 8, 2001) * direction
        flips = np.nonzero(margin(steps) <= 0)[0]
        if flips.size:
            i = flips[0]
            best = min(best, abs(optimize.brentq(margin, steps[i - 1], steps[i], xtol=1e-12)))
    return best, top
