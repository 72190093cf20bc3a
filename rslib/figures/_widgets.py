"""ipywidgets explorers for a live kernel (Jupyter Lab, or the book's Live button): they recompute with rslib
on every move.

In the static HTML they show the state they had when the book was built; the plotly figures of this
subpackage are the forms that stay interactive there.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
import torch
from torch.utils.data import Dataset

from rslib import _checks, certificates
from rslib.figures._ablation import ABLATED_COLOR, ablated_image
from rslib.figures._common import NORM_NAMES
from rslib.figures._gaussian import half_spaces_2d
from rslib.results import format_down
from rslib.smoothing import Smoothed

__all__ = ["half_space_explorer", "radius_explorer", "certify_explorer", "ablation_explorer", "SAMPLE_SIZES", "LEVELS"]


SAMPLE_SIZES = (100, 1000, 10_000, 100_000)  # the choices of certify_explorer's N drop-down
LEVELS = (0.1, 0.01, 0.001)  # and of its α drop-down


_BOUNDS_ABOVE_ONE = "<b>p<sub>A</sub> + p<sub>B</sub> must be at most 1</b>: these bounds cannot both hold."
"""What the explorers show when the sliders' p_A and p_B add up to more than 1."""


def _png(image) -> bytes:
    """A (C, H, W) tensor in [0, 1] as PNG bytes (first channel, grey)."""
    from PIL import Image

    pixels = (image[0].clamp(0, 1).numpy() * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _slider(name, description, value, low, high, step):
    """A slider over [low, high] starting at `value` (the argument `name`), which must lie in that range; its
    description may hold HTML (p<sub>A</sub>)."""
    value = _checks.number_in(name, value, low, high)
    return w.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        description_allow_html=True,
        continuous_update=False,
        readout_format=".3f",
        style={"description_width": "initial"},
    )


def half_space_explorer(
    p_a: float = 0.8, p_b: float = 0.1, sigma: float = 1.0, delta_norm: float = 0.5, angle_degrees: float = 30.0
) -> w.Widget:
    """Sliders for p_A, p_B, sigma, ||delta|| and the direction of delta over the proof's picture (`half_spaces_2d`).

    Parameters
    ----------
    p_a : float, default 0.8
        P(X in A), in [0.01, 0.999].
    p_b : float, default 0.1
        P(X in B), in [0, 0.99].
    sigma : float, default 1.0
        Standard deviation of the noise, in [0.1, 2].
    delta_norm : float, default 0.5
        ||delta||, in [0, 4].
    angle_degrees : float, default 30.0
        Direction of delta, in [-180, 180].

    Returns
    -------
    ipywidgets.Widget
        The sliders and the figure; the sliders start at these values.

    Raises
    ------
    ValueError
        If a value lies outside its slider's range.
    """
    controls = {
        "p_a": _slider("p_a", "p<sub>A</sub>", p_a, 0.01, 0.999, 0.001),
        "p_b": _slider("p_b", "p<sub>B</sub>", p_b, 0.0, 0.99, 0.001),
        "sigma": _slider("sigma", "σ", sigma, 0.1, 2.0, 0.05),
        "delta_norm": _slider("delta_norm", "‖δ‖", delta_norm, 0.0, 4.0, 0.01),
        "angle": _slider("angle_degrees", "angle of δ (degrees)", angle_degrees, -180, 180, 1),
    }
    message = w.HTML()
    figure = go.FigureWidget(_half_space_state(p_a, p_b, sigma, delta_norm, angle_degrees))

    def redraw(_=None):
        values = {k: c.value for k, c in controls.items()}
        if values["p_a"] + values["p_b"] > 1:
            message.value = _BOUNDS_ABOVE_ONE
            return
        message.value = ""
        angle = values.pop("angle")
        state = _half_space_state(**values, angle_degrees=angle)
        with figure.batch_update():
            for trace, new in zip(figure.data, state.data):
                trace.x, trace.y, trace.name = new.x, new.y, new.name
            figure.layout.title = state.layout.title
            figure.layout.sliders = []

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return w.VBox(
        [
            w.HBox([controls["p_a"], controls["p_b"], controls["sigma"]]),
            w.HBox([controls["delta_norm"], controls["angle"]]),
            message,
            figure,
        ]
    )


def _half_space_state(p_a, p_b, sigma, delta_norm, angle_degrees):
    return half_spaces_2d(p_a, p_b, sigma, angle=np.deg2rad(angle_degrees), delta_norms=[delta_norm], active=0)


def radius_explorer(p_a: float = 0.9, p_b: float = 0.05, sigma: float = 0.5) -> w.Widget:
    """Sliders for p_A, p_B and sigma, and the radius of each certificate of chapters 1-4 at those bounds.

    The radii are `rslib.certificates.radii_at_equal_variance`'s, rounded down for display.

    Parameters
    ----------
    p_a : float, default 0.9
        Lower bound on the top class's probability, in [0, 1].
    p_b : float, default 0.05
        Upper bound on the others', in [0, 1] (a checkbox replaces it by 1 - p_A).
    sigma : float, default 0.5
        Standard deviation of the Gaussian noise, in [0.05, 2].

    Returns
    -------
    ipywidgets.Widget

    Raises
    ------
    ValueError
        If a value lies outside its slider's range.
    """
    controls = [
        _slider("p_a", "p<sub>A</sub>", p_a, 0.0, 1.0, 0.001),
        _slider("p_b", "p<sub>B</sub>", p_b, 0.0, 1.0, 0.001),
        _slider("sigma", "σ", sigma, 0.05, 2.0, 0.05),
    ]
    binary = w.Checkbox(
        value=False, description="binary: p<sub>B</sub> = 1 − p<sub>A</sub>", description_allow_html=True
    )
    table = w.HTML()

    def recompute(_=None):
        p_a_value, p_b_value, sigma_value = (c.value for c in controls)
        p_b_used = None if binary.value else p_b_value
        if p_b_used is not None and p_a_value + p_b_used > 1:
            table.value = _BOUNDS_ABOVE_ONE
            return
        rows = certificates.radii_at_equal_variance(p_a_value, p_b_used, sigma=sigma_value)
        table.value = (
            "<table>"
            + "".join(
                f"<tr><td>{name}</td><td>{NORM_NAMES[norm]}</td><td><b>{_shown(r)}</b></td></tr>"
                for name, (norm, r) in rows.items()
            )
            + "</table>"
        )

    for control in (*controls, binary):
        control.observe(recompute, names="value")
    recompute()
    return w.VBox([w.HBox(controls), binary, table])


def _shown(radius: float) -> str:
    """A radius for a table: rounded down to 4 decimals, or "not certified"."""
    return "not certified" if radius == certificates.NOT_CERTIFIED else format_down(radius, 4)


def certify_explorer(
    smoothed: dict[str, Smoothed],
    dataset: Dataset,
    class_names: Sequence[str] | None = None,
    n0: int = 100,
    n: int = 1000,
    alpha: float = 0.001,
) -> w.Widget:
    """Certify one test image with a chosen smoothed model (`rslib.smoothing.Smoothed.certify`) at the press of
    a button, and show the image, the verdict and the time it took.

    Parameters
    ----------
    smoothed : dict of str to Smoothed
        The models to choose from, at least one.
    dataset : torch.utils.data.Dataset
        (image, label) pairs, at least one.
    class_names : sequence of str, optional
        One name per class; default: the class numbers.
    n0 : int, default 100
        Selection samples.
    n : int, default 1000
        The N drop-down's first value, one of `SAMPLE_SIZES`.
    alpha : float, default 0.001
        The α drop-down's first value, one of `LEVELS`.

    Returns
    -------
    ipywidgets.Widget

    Raises
    ------
    ValueError
        If smoothed or dataset is empty, class_names has the wrong length, or n or alpha is not a choice.
    """
    if not smoothed:
        raise ValueError("smoothed must not be empty: give at least one name -> Smoothed model")
    if len(dataset) == 0:
        raise ValueError("dataset must not be empty: there is no image to certify")
    num_classes = max(model.num_classes for model in smoothed.values())
    if class_names is not None and len(class_names) != num_classes:
        raise ValueError(f"class_names must have num_classes={num_classes} names, got {len(class_names)}")
    model = w.Dropdown(options=list(smoothed), description="model")
    index = w.BoundedIntText(value=0, min=0, max=len(dataset) - 1, description="image")
    samples = w.Dropdown(options=SAMPLE_SIZES, value=_checks.one_of("n", n, SAMPLE_SIZES), description="N")
    level = w.Dropdown(options=LEVELS, value=_checks.one_of("alpha", alpha, LEVELS), description="α")
    button = w.Button(description="Certify", button_style="primary")
    picture, result = w.Image(format="png", width=168, height=168), w.HTML()

    def certify(_=None):
        image, label = dataset[index.value]
        label = int(label)
        start = time.perf_counter()
        cert = smoothed[model.value].certify(image, n0, samples.value, level.value)
        seconds = time.perf_counter() - start

        def name(c: int) -> str:
            return class_names[c] if class_names else str(c)

        verdict = (
            "abstains"
            if cert.abstained
            else (
                f"predicts <b>{name(cert.label)}</b> ({'correct' if cert.label == label else 'wrong'}), "
                f"certified radius <b>{format_down(cert.radius, 3)}</b> ({NORM_NAMES[cert.norm]})"
            )
        )
        result.value = (
            f"True class {name(label)}. The smoothed classifier {verdict}; "
            f"lower bound p<sub>A</sub> = {format_down(cert.p_a, 4)} from N = {samples.value:,} samples in "
            f"{seconds:.1f} s."
        )
        picture.value = _png(image)

    button.on_click(certify)
    certify()
    return w.VBox([w.HBox([model, index]), w.HBox([samples, level, button]), w.HBox([picture, result])])


def ablation_explorer(image: torch.Tensor | np.ndarray, keep: int = 50, seed: int = 0) -> w.Widget:
    """Sliders for the number of kept pixels e and the random seed over one ablated image.

    Parameters
    ----------
    image : torch.Tensor or numpy.ndarray, shape (C, H, W)
        Floats in [0, 1].
    keep : int, default 50
        The e slider's first value, in [1, H * W].
    seed : int, default 0
        The seed slider's first value, in [0, 999].

    Returns
    -------
    ipywidgets.Widget

    Raises
    ------
    TypeError
        If image is neither a tensor nor an array.
    ValueError
        If image is not a (C, H, W) float image in [0, 1] with at least one pixel, or keep or seed lies outside
        its slider's range.
    """
    from PIL import Image

    image = torch.tensor(np.ascontiguousarray(image)) if isinstance(image, np.ndarray) else image
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"image must be a torch tensor or a numpy array, got {type(image).__name__}")
    if image.ndim != 3 or not image.is_floating_point():
        raise ValueError(
            f"image must be a (channels, height, width) float tensor, got {image.dtype} of shape {tuple(image.shape)}"
        )
    pixels = image.shape[-1] * image.shape[-2]
    if pixels == 0:
        raise ValueError(f"image must have at least one pixel, got shape {tuple(image.shape)}")
    if bool(image.isnan().any()):  # drawn as if ablated
        raise ValueError("image must lie in [0, 1], got NaN")
    if not bool(((image >= 0) & (image <= 1)).all()):  # outside, the grey level wraps around in uint8
        raise ValueError(f"image must lie in [0, 1], got values from {image.min().item():g} to {image.max().item():g}")
    keep_slider = w.IntSlider(
        value=_checks.integer_in("keep", keep, 1, pixels),
        min=1,
        max=pixels,
        description="e (kept)",
        continuous_update=True,
        style={"description_width": "initial"},
    )
    seed_slider = w.IntSlider(
        value=_checks.integer_in("seed", seed, 0, 999), min=0, max=999, description="seed", continuous_update=True
    )
    picture, caption = w.Image(format="png", width=224, height=224), w.HTML()
    ablated = np.array([int(ABLATED_COLOR[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)

    def redraw(_=None):
        shown = ablated_image(image, keep_slider.value, seed_slider.value)
        grey = (255 * (1 - np.nan_to_num(shown))).astype(np.uint8)
        rgb = np.where(np.isnan(shown)[..., None], ablated, grey[..., None].repeat(3, axis=2))
        buffer = io.BytesIO()
        Image.fromarray(rgb).resize((224, 224), Image.NEAREST).save(buffer, format="PNG")
        picture.value = buffer.getvalue()
        caption.value = (
            f"{keep_slider.value} of {shown.size} pixels kept (amber: ablated); seed {seed_slider.value} picks which."
        )

    keep_slider.observe(redraw, names="value")
    seed_slider.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([keep_slider, seed_slider]), w.HBox([picture, caption])])
