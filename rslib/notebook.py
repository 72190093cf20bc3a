"""Set-up shared by every chapter: `from rslib import notebook; notebook.setup()` in its first cell.

Plotly figures in the static book. Under the book's executor plotly's default output is its own mime
type, which the HTML builder skips (with only a warning), so figures would vanish. `setup()` selects
`rsbook_offline`: plotly's `notebook` renderer, which emits text/html and inlines plotly.js once per
page (in the output of the cell that calls `setup()`; never the CDN-loading `notebook_connected`),
minus the MathJax ``<script src="https://...">`` it adds to every figure. Only text/html is emitted:
any other mime type in the same output would be warned about by the builder, and `-W` fails on it.

Live reading (`make live` sets ``RSBOOK_LIVE=1``): plotly's own default renderer is kept, which in
Jupyter Lab shows figures through its plotly extension. Without the variable, figures display in Lab
too, as text/html (Lab runs the scripts of outputs it produced itself).

`setup()` also tunes the CPU allocator (`rslib.device.tune_cpu_allocator`) and numpy's printing.
"""
from __future__ import annotations

import os
import re

import numpy as np
import plotly.io as pio
from plotly.io._base_renderers import NotebookRenderer

from rslib.device import tune_cpu_allocator

RENDERER = "rsbook_offline"
LIVE_ENV = "RSBOOK_LIVE"
_REMOTE_SCRIPT = re.compile(r'<script[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>\s*</script>')


class OfflineNotebookRenderer(NotebookRenderer):
    """plotly's `notebook` renderer (plotly.js embedded, never a CDN) without remote <script> tags."""

    def __init__(self, **kwargs):
        kwargs.setdefault("connected", False)
        if kwargs["connected"]:
            raise ValueError("the offline renderer never loads plotly.js from a CDN")
        super().__init__(**kwargs)

    def to_mimebundle(self, fig_dict):
        bundle = super().to_mimebundle(fig_dict)
        bundle["text/html"] = _REMOTE_SCRIPT.sub("", bundle["text/html"])
        return bundle


def setup(live: bool | None = None) -> None:
    """Prepare a chapter's kernel (returns nothing, so it prints nothing as a cell's last line).

    live: keep plotly's default renderer (for Jupyter Lab). Default: True when the environment
    variable RSBOOK_LIVE is "1" (`make live` sets it), else False (building the static book).
    """
    tune_cpu_allocator()
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    pio.templates.default = "plotly_white"
    if live is None:
        live = os.environ.get(LIVE_ENV) == "1"
    if live:
        return
    if RENDERER not in pio.renderers:
        pio.renderers[RENDERER] = OfflineNotebookRenderer()
    if pio.renderers.default != RENDERER:
        pio.renderers.default = RENDERER  # activating it displays plotly.js, once
