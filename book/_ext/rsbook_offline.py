"""Sphinx extension (loaded from _config.yml): keep the book's pages free of online-only features.

jupyter-book always loads sphinx-thebe, which puts on every page a script that points at unpkg.com and,
in full builds, declares `const THEBE_JS_URL` twice (a JavaScript error on every page). The book has no
thebe launcher (`launch_buttons.thebe: false`), so its scripts and stylesheet are dropped from the pages.

Sphinx loads MathJax only on pages with equations of their own, but chapter titles with math (e.g.
"Laplace noise and $\ell_1$ certificates") appear in the sidebar of every page, and so do the
bibliography's titles; the assets policy "always" loads the (local) MathJax on every page.

Each chapter's first plotly figure inlines plotly.js (about 4.7 MB, `rslib.notebook`). After the build the
bundle is moved to one file in `_static/` that every page loads with a plain `<script src>`: the same
synchronous classic script, fetched once and cached by the browser instead of repeated in every page.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

_PLOTLY_BUNDLE = re.compile(r"<script>(/\*\*\n\* plotly\.js v[^\n]*\n.*?)</script>", re.S)


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", None) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "sphinx-thebe" in name or "thebe@" in name or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def _share_plotly_bundle(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        match = _PLOTLY_BUNDLE.search(html)
        if not match:
            continue
        bundle = match.group(1)
        name = f"rsbook-plotly-{hashlib.sha256(bundle.encode()).hexdigest()[:12]}.js"
        target = out / "_static" / name
        if not target.exists():
            target.write_text(bundle, encoding="utf-8")
        src = Path(os.path.relpath(target, page.parent)).as_posix()
        page.write_text(html[:match.start()] + f'<script src="{src}"></script>' + html[match.end():], encoding="utf-8")


def setup(app):
    app.connect("build-finished", _share_plotly_bundle)
    app.set_html_assets_policy("always")
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
