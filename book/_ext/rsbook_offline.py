r"""Sphinx extension (loaded from _config.yml): keep the book's pages free of online-only features.

jupyter-book always loads sphinx-thebe, which puts on every page a script that points at unpkg.com and,
in full builds, declares `const THEBE_JS_URL` twice (a JavaScript error on every page). The book has no
thebe launcher (`launch_buttons.thebe: false`), so its scripts and stylesheet are dropped from the pages.

Sphinx loads MathJax only on pages with equations of their own, but chapter titles with math (e.g.
"Laplace noise and $\ell_1$ certificates") appear in the sidebar of every page, and so do the
bibliography's titles; the assets policy "always" loads the (local) MathJax on every page.

Each chapter's first plotly figure inlines plotly.js (about 4.7 MB, `rslib.notebook`). After the build the
bundle is moved to one file in `_static/` that every page loads with a plain `<script src>`: the same
synchronous classic script, fetched once and cached by the browser instead of repeated in every page.

A page's saved widget state holds every widget the kernel still had, also those of cells the page removes
(``remove-cell``: explorers only a kernel can redraw). Each such model would still be created when the page
loads, and a plotly FigureWidget fetches its module for it, so the state keeps only the widgets a view on the
page shows and those they refer to (children, layouts, styles, links).

Plotly's FigureWidget is an anywidget whose saved state carries its whole JavaScript module (``_esm``, about
5 MB) in every page that shows one. The module is moved to one file in `_static/` as well, and the state keeps
a few lines that import it from there (anywidget turns an ``_esm`` that is not a URL into a module of its own;
that module loads the shared file by its address relative to the page and re-exports what the original did).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

_PLOTLY_BUNDLE = re.compile(r"<script>(/\*\*\n\* plotly\.js v[^\n]*\n.*?)</script>", re.S)
_WIDGET_STATE = re.compile(r'(<script type="application/vnd\.jupyter\.widget-state\+json">)(.*?)(</script>)', re.S)
_WIDGET_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)
_MODEL_REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]+)")
_ESM_EXPORTS = re.compile(r"export\s*\{([^{}]*)\}")
SHARED_ESM_MIN_BYTES = 64_000


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
        page.write_text(
            html[: match.start()] + f'<script src="{src}"></script>' + html[match.end() :], encoding="utf-8"
        )


def esm_loader(esm: str, src: str) -> str:
    """A module that imports `src` (relative to the page) and re-exports the names `esm` exports."""
    exports = _ESM_EXPORTS.findall(esm)  # a bundle's own export statement is its last one
    names = [part.split(" as ")[-1].strip() for part in exports[-1].split(",")] if exports else ["default"]
    lines = [f"const shared = await import(new URL({json.dumps(src)}, document.baseURI).href);"]
    for name in names:
        lines.append("export default shared.default;" if name == "default" else f"export const {name} = shared.{name};")
    return "\n".join(lines) + "\n"


def drop_unshown_widgets(html: str) -> str:
    """`html` whose saved widget state keeps only the models its views show, and those they refer to.

    The roots are the ``model_id`` of every widget view on the page and every link model (a link refers to the
    widgets it joins; nothing refers to it). From them the ``IPY_MODEL_<id>`` references in a kept model's
    state are followed. A page without views keeps its state as it is.
    """
    shown = [json.loads(view)["model_id"] for view in _WIDGET_VIEW.findall(html)]
    if not shown:
        return html

    def replace(match):
        state = json.loads(match.group(2))
        models = state.get("state", {})
        roots = shown + [key for key, model in models.items() if str(model.get("model_name", "")).endswith("LinkModel")]
        keep, stack = set(), list(roots)
        while stack:
            key = stack.pop()
            if key in keep or key not in models:
                continue
            keep.add(key)
            stack.extend(_MODEL_REFERENCE.findall(json.dumps(models[key].get("state", {}))))
        if keep == set(models):
            return match.group(0)
        state["state"] = {key: model for key, model in models.items() if key in keep}
        return match.group(1) + json.dumps(state).replace("</", "<\\/") + match.group(3)

    return _WIDGET_STATE.sub(replace, html)


def share_widget_modules(html: str, static: Path, src_of) -> str:
    """`html` with every large anywidget ``_esm`` moved to a file in `static` (`src_of(path)` is its URL)."""

    def replace(match):
        state = json.loads(match.group(2))
        changed = False
        for model in state.get("state", {}).values():
            esm = model.get("state", {}).get("_esm")
            if not isinstance(esm, str) or len(esm) < SHARED_ESM_MIN_BYTES:
                continue
            target = static / f"rsbook-esm-{hashlib.sha256(esm.encode()).hexdigest()[:12]}.js"
            if not target.exists():
                target.write_text(esm, encoding="utf-8")
            model["state"]["_esm"] = esm_loader(esm, src_of(target))
            changed = True
        if not changed:
            return match.group(0)
        return match.group(1) + json.dumps(state).replace("</", "<\\/") + match.group(3)

    return _WIDGET_STATE.sub(replace, html)


def _share_widget_modules(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "application/vnd.jupyter.widget-state+json" not in html:
            continue
        shared = share_widget_modules(
            drop_unshown_widgets(html),
            out / "_static",
            lambda target, page=page: Path(os.path.relpath(target, page.parent)).as_posix(),
        )
        if shared != html:
            page.write_text(shared, encoding="utf-8")


def setup(app):
    app.connect("build-finished", _share_plotly_bundle)
    app.connect("build-finished", _share_widget_modules)
    app.set_html_assets_policy("always")
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
