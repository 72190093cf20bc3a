"""Sphinx extension (loaded from _config.yml): keep the book's pages free of online-only features.

jupyter-book always loads sphinx-thebe, which puts on every page a script that points at unpkg.com and,
in full builds, declares `const THEBE_JS_URL` twice (a JavaScript error on every page). The book has no
thebe launcher (`launch_buttons.thebe: false`), so its scripts and stylesheet are dropped from the pages.

Sphinx loads MathJax only on pages with equations of their own, but chapter titles with math (e.g.
"Laplace noise and $\ell_1$ certificates") appear in the sidebar of every page, and so do the
bibliography's titles; the assets policy "always" loads the (local) MathJax on every page.
"""
from __future__ import annotations


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", None) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "sphinx-thebe" in name or "thebe@" in name or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def setup(app):
    app.set_html_assets_policy("always")
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
