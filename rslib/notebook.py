"""Set-up shared by every chapter: plotly figures that work in the static HTML with no internet.

Plotly's default renderer under a notebook executor emits only its own mime type, which the book's
HTML builder skips. `setup()` selects a renderer that emits both
- text/html with plotly.js inlined once per page (plotly's "notebook" renderer), minus the MathJax
  <script src="https://..."> that renderer adds to every figure, for the static book, and
- application/vnd.plotly.v1+json, which JupyterLab prefers, for live reading.
"""
from __future__ import annotations

import re

import plotly.io as pio
from plotly.io._base_renderers import NotebookRenderer

from rslib.device import tune_cpu_allocator

RENDERER = "rsbook_offline"
_REMOTE_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>')


class OfflineNotebookRenderer(NotebookRenderer):
    """plotly's `notebook` renderer (plotly.js embedded, never a CDN) without remote <script> tags."""

    def to_mimebundle(self, fig_dict):
        bundle = super().to_mimebundle(fig_dict)
        bundle["text/html"] = _REMOTE_SCRIPT.sub("", bundle["text/html"])
        return bundle


def setup() -> None:
    """Call once at the top of a chapter."""
    tune_cpu_allocator()
    if RENDERER not in pio.renderers:
        pio.renderers[RENDERER] = OfflineNotebookRenderer()
    pio.renderers.default = f"{RENDERER}+plotly_mimetype"
    pio.templates.default = "plotly_white"
