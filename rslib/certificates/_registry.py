"""One registry of the certificates that turn a pair of bounds (p_A, p_B) into a radius.

Figures, the radius explorer, the soundness appendix and the tests iterate over `REGISTRY` instead of
re-adapting each function's signature: every entry is called as ``entry.radius(p_a, p_b, **levels)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from rslib import _checks
from rslib.certificates._gaussian import gaussian_l1, gaussian_l2, gaussian_l2_margin, soft_margin_l2
from rslib.certificates._laplace import laplace_l1, lecuyer_l1
from rslib.certificates._renyi import pixeldp_l2, renyi_l1, renyi_l2
from rslib.certificates._topk import ablation_l0, gaussian_topk_l2, levine_feizi_l0

__all__ = [
    "NoiseFamily",
    "FAMILIES",
    "family_from_params",
    "CertificateInfo",
    "REGISTRY",
    "certificates_for",
    "radii_at_equal_variance",
]


@dataclass(frozen=True)
class NoiseFamily:
    """A smoothing distribution as the certificates see it.

    Attributes
    ----------
    name : str
        "gaussian", "laplace" or "ablation", as in saved parameters (``{"noise": name, parameter: value}``).
    norm : str
        The norm its certificates are stated in.
    parameter : str
        The noise's own parameter: "sigma", "scale" or "keep".
    levels : tuple of str
        The keyword-only parameters its certificates take (ablation's also need the pixel count d).
    """

    name: str
    norm: str
    parameter: str
    levels: tuple[str, ...]


FAMILIES = {
    "gaussian": NoiseFamily("gaussian", "l2", "sigma", ("sigma",)),
    "laplace": NoiseFamily("laplace", "l1", "scale", ("scale",)),
    "ablation": NoiseFamily("ablation", "l0", "keep", ("d", "keep")),
}


def family_from_params(params: object) -> tuple[NoiseFamily, float | int]:
    """The family and level of saved noise parameters such as ``{"noise": "gaussian", "sigma": 0.5}``.

    The one check of saved noises: model cards and results files are read through it, with or without torch.

    Parameters
    ----------
    params : dict
        ``{"noise": name, parameter: level}``, as `rslib.smoothing.Noise.params` writes it.

    Returns
    -------
    tuple of (NoiseFamily, float or int)
        The family of `FAMILIES` and its level: a float sigma or scale, an int keep.

    Raises
    ------
    ValueError
        Naming what is wrong: not a dict, an unknown noise, a missing or invalid level.
    TypeError
        If the level is not a number (a bool or a string), or keep is not an integer.
    """
    if not isinstance(params, dict):
        raise ValueError(
            f"noise parameters must be a JSON object such as {{'noise': 'gaussian', 'sigma': 0.5}}, got {params!r}"
        )
    kind = params.get("noise")
    if kind not in FAMILIES:
        raise ValueError(f"noise must be one of {', '.join(repr(k) for k in FAMILIES)}, got {kind!r}")
    family = FAMILIES[kind]
    if family.parameter not in params:
        raise ValueError(f"{kind} noise needs its {family.parameter}, got {params!r}")
    value = params[family.parameter]
    if family.parameter == "keep":
        return family, _checks.count("keep", value)
    return family, _checks.positive(family.parameter, value)


@dataclass(frozen=True)
class CertificateInfo:
    """A certificate of the registry.

    Attributes
    ----------
    name : str
        The function's name in `rslib.certificates`.
    function : callable
        The function, ``function(p_a, p_b=None, *, <levels>)`` (or ``function(margin, *, <levels>)``).
    family : NoiseFamily
        The noise it certifies.
    norm : str
        The norm of its radius ("l0", "l1" or "l2"; the Gaussian l2 radius read in l1 has "l1").
    title : str
        Who proved it and where, for tables and legends.
    from_margin : bool
        The function takes a margin bound; `radius` passes p_a - p_b, the smallest margin the bounds allow.
    tight : bool
        Whether some base classifier attains the radius for every pair of bounds (binary case).
    """

    name: str
    function: Callable
    family: NoiseFamily
    norm: str
    title: str
    from_margin: bool = False
    tight: bool = False

    def radius(self, p_a: ArrayLike, p_b: ArrayLike | None = None, **levels: float) -> np.number | np.ndarray:
        """The certified radius at bounds (p_a, p_b), whatever the function's own signature.

        Parameters
        ----------
        p_a : float or array_like
            Lower confidence bound on the top class's probability.
        p_b : float or array_like, optional
            Upper confidence bound on every other class's probability; None: 1 - p_a. A certificate from a
            margin (`from_margin`) receives p_a - p_b, the smallest margin the two bounds allow.
        **levels
            The family's keyword parameters (`NoiseFamily.levels`), e.g. ``sigma=0.5`` or ``d=784, keep=50``.

        Returns
        -------
        numpy.float64, numpy.int64 or numpy.ndarray
            The function's radius, ``NOT_CERTIFIED`` where the bounds certify nothing.

        Raises
        ------
        TypeError
            If a keyword is not one of the family's levels.
        """
        unknown = set(levels) - set(self.family.levels)
        if unknown:
            raise TypeError(
                f"{self.name} takes the levels {', '.join(self.family.levels)}, got {', '.join(sorted(unknown))}"
            )
        if self.from_margin:
            p_a = np.asarray(p_a, dtype=float)
            margin = 2.0 * p_a - 1.0 if p_b is None else p_a - np.asarray(p_b, dtype=float)
            return self.function(margin, **levels)
        return self.function(p_a, p_b, **levels)


def _info(function, family, title, norm=None, **flags) -> tuple[str, CertificateInfo]:
    family = FAMILIES[family]
    return function.__name__, CertificateInfo(function.__name__, function, family, norm or family.norm, title, **flags)


REGISTRY: dict[str, CertificateInfo] = dict(
    [
        _info(gaussian_l2, "gaussian", "Gaussian, Cohen et al. (2019) Thm 1", tight=True),
        _info(gaussian_l2_margin, "gaussian", "Gaussian, Cohen et al. from the margin", from_margin=True),
        _info(renyi_l2, "gaussian", "Gaussian, Rényi bound (Li et al. 2019 Thm 2)"),
        _info(pixeldp_l2, "gaussian", "Gaussian, PixelDP (Lecuyer et al. 2019)"),
        _info(gaussian_topk_l2, "gaussian", "Gaussian, top-k (Jia et al. 2020), k = 1"),
        _info(
            soft_margin_l2, "gaussian", "Gaussian soft scores, Lipschitz margin (Salman et al. 2019)", from_margin=True
        ),
        _info(gaussian_l1, "gaussian", "Gaussian, Cohen et al. read in ℓ₁", norm="l1"),
        _info(laplace_l1, "laplace", "Laplace, Teng et al. (2020) Thm 1/2", tight=True),
        _info(lecuyer_l1, "laplace", "Laplace, Lecuyer et al. (2019)"),
        _info(renyi_l1, "laplace", "Laplace, Rényi bound (Li et al. 2019 Thm 3)"),
        _info(ablation_l0, "ablation", "Ablation, Jia et al. (2022) Thm 1", tight=True),
        _info(levine_feizi_l0, "ablation", "Ablation, Levine & Feizi (2020)"),
    ]
)


def certificates_for(family: str) -> list[str]:
    """Names of the registered certificates of a noise family, in `REGISTRY` order.

    Parameters
    ----------
    family : {"gaussian", "laplace", "ablation"}
        A key of `FAMILIES`.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If family is not a key of `FAMILIES`.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
    return [name for name, info in REGISTRY.items() if info.family.name == family]


def radii_at_equal_variance(
    p_a: float, p_b: float | None = None, *, sigma: float, d: int = 784, keep: int = 50
) -> dict[str, tuple[str, float]]:
    """Every registered certificate at the same bounds, additive noises at equal variance.

    Gaussian noise has standard deviation sigma and Laplace noise scale sigma / sqrt(2) (variance
    2 scale^2 = sigma^2); the ablation certificates count pixels of a d-pixel image with `keep` pixels kept.
    The top-k certificate is left out: for k = 1 it is `gaussian_l2`.

    Parameters
    ----------
    p_a : float
        Lower confidence bound on the top class's probability, in [0, 1].
    p_b : float, optional
        Upper confidence bound on every other class's probability; None: the binary bound 1 - p_a.
    sigma : float
        Standard deviation of the Gaussian noise, > 0 (keyword-only).
    d : int, default 784
        Pixels of the image, for the ablation certificates (keyword-only).
    keep : int, default 50
        Pixels kept by ablation, in [1, d] (keyword-only).

    Returns
    -------
    dict
        {`CertificateInfo.title`: (norm, radius)}, in `REGISTRY` order; the radius is ``NOT_CERTIFIED`` where
        a certificate certifies nothing.
    """
    levels = {
        "gaussian": {"sigma": sigma},
        "laplace": {"scale": sigma / np.sqrt(2.0)},
        "ablation": {"d": d, "keep": keep},
    }
    return {
        info.title: (info.norm, float(info.radius(p_a, p_b, **levels[info.family.name])))
        for name, info in REGISTRY.items()
        if name != "gaussian_topk_l2"
    }
