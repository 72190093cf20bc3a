"""Sphinx extension (loaded from _config.yml): each chapter downloads as a notebook as well as Markdown.

The theme's download menu offers the page's source, here a MyST Markdown notebook (``.md``), which Jupyter
opens as a notebook only with jupytext. After the HTML build this extension writes, next to each copied
source in ``_sources/``, the same chapter as a classic ``.ipynb`` (converted by jupytext, without outputs:
a reader runs it), and adds it to the menu.

Both links carry the ``download`` attribute, so the browser saves the file instead of showing it: shown as
a page, a server that sends ``.md`` without a charset (``python -m http.server`` does) makes the browser read
the UTF-8 text as Latin-1 (σ becomes "Ïƒ").
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
_MD_ITEM = re.compile(
    r'(<li><a href="(?P<stem>[^"]*_sources/[^"]*)\.md" target="_blank"\s*'
    r'class="btn btn-sm btn-download-source-button dropdown-item".*?</li>)',
    re.S,
)


def notebook_item(md_item: str, stem: str) -> str:
    """The menu entry for the ``.ipynb``, made from the theme's ``.md`` entry."""
    item = md_item.replace(f'href="{stem}.md"', f'href="{stem}.ipynb"', 1)
    item = item.replace('title="Download source file"', 'title="Download as a Jupyter notebook"', 1)
    return item.replace(
        '<span class="btn__text-container">.md</span>', '<span class="btn__text-container">.ipynb</span>', 1
    )


def add_notebook_download(page_html: str, *, notebook: bool = True) -> str:
    """The page with its ``.md`` link marked ``download`` and, for a notebook, a ``.ipynb`` entry after it."""
    if ' download target="_blank"' in page_html:  # a page this build did not rewrite has them already
        return page_html

    def replace(match):
        md_item = match.group(1).replace(' target="_blank"', ' download target="_blank"', 1)
        return md_item + ("\n      " + notebook_item(md_item, match.group("stem")) if notebook else "")

    return _MD_ITEM.sub(replace, page_html, count=1)


def _write_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    written = 0
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        copied = out / "_sources" / f"{docname}.md"
        page = out / f"{docname}.html"
        if source.suffix != ".md" or not copied.is_file() or not page.is_file():
            continue
        text = source.read_text(encoding="utf-8")
        notebook = text.startswith("---\njupytext:")  # plain Markdown pages (errata, references) are no notebooks
        if notebook:
            jupytext.write(jupytext.reads(text, fmt="md:myst"), copied.with_suffix(".ipynb"), fmt="ipynb")
            written += 1
        page.write_text(add_notebook_download(page.read_text(encoding="utf-8"), notebook=notebook), encoding="utf-8")
    LOGGER.info(f"notebook downloads: {written} chapters")


def setup(app):
    app.connect("build-finished", _write_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
