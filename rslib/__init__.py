"""rslib: randomized smoothing, the library behind the book *Certified robustness by randomized smoothing*.

The parts, from the maths up (each subpackage's ``__init__`` lists its API):

- `rslib.certificates`: certified radii from probability bounds, one function per theorem, and `REGISTRY`;
- `rslib.bounds`: confidence bounds and confidence sequences;
- `rslib.theory`: the analysis behind each chapter (Neyman-Pearson, Laplace, Renyi, norms, exact cases);
- `rslib.results`: results files (read, resume, merge) and provenance;
- `rslib.smoothing`: the engine: noises, the smoothed classifier, dataset, sequential and soft certification;
- `rslib.zoo`: base classifiers, shipped models, datasets, training;
- `rslib.figures`, `rslib.book`: the book's figures, widgets and chapter helpers (extra ``rslib[book]``);
- `rslib.cli`: the ``rslib`` command.

The first three need only numpy and scipy; torch is imported when an engine name is first used::

    import rslib
    rslib.certificates.gaussian_l2(0.99, sigma=0.5)            # no torch imported
    model = rslib.load_pretrained("fmnist-gaussian-0.5")        # imports torch
    cert = rslib.Smoothed(model.model, model.noise, 10).certify(x, n0=100, n=10_000, alpha=0.001)
"""

from __future__ import annotations

import importlib

from rslib._version import __version__

_SUBPACKAGES = ("certificates", "bounds", "theory", "results", "smoothing", "zoo", "figures", "book", "cli")
_NAMES = {  # name -> the subpackage that defines it
    "NOT_CERTIFIED": "certificates",
    "Smoothed": "smoothing",
    "Certificate": "smoothing",
    "TopKCertificate": "smoothing",
    "ABSTAIN": "smoothing",
    "Noise": "smoothing",
    "Gaussian": "smoothing",
    "Laplace": "smoothing",
    "Ablation": "smoothing",
    "certify_dataset": "smoothing",
    "NonFiniteLogitsError": "smoothing",
    "load_pretrained": "zoo",
    "list_pretrained": "zoo",
    "load_dataset": "zoo",
    "read_results": "results",
}

__all__ = ["__version__", *_SUBPACKAGES, *_NAMES]


def __getattr__(name: str):
    """Import a subpackage, or the subpackage defining a main name, on first use (PEP 562)."""
    if name in _SUBPACKAGES:
        return importlib.import_module(f"rslib.{name}")
    if name in _NAMES:
        module = importlib.import_module(f"rslib.{_NAMES[name]}")
        return getattr(module, "read" if name == "read_results" else name)
    raise AttributeError(f"module 'rslib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
