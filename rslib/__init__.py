"""rslib: randomized smoothing, the library behind the book *Certified robustness by randomized smoothing*.

Modules, one concept each: `noise` (smoothing distributions), `radii` (certified radii, one function per
theorem), `bounds` (confidence bounds), `smooth` (the smoothed classifier and its sampling engine),
`data`, `models`, `train`, `viz` (figures and widgets) and `cli`.
"""
__version__ = "0.1.0"
