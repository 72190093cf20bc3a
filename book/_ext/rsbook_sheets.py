"""Sphinx extension (loaded from _config.yml): printable exercise sheets, built with the book.

For every page with a section titled "Exercises", after the HTML build:

- ``sheets/<page>-exercises.html``: the exercise prompts alone, for handing out;
- ``sheets/<page>-solutions.html``: the prompts with their solutions open, answers included (the numbers a
  chapter computes for a solution are glued into it, `rslib.notebook.answer`);
- a PDF of each, printed by headless Chromium (Debian's ``chromium``; never a browser a tool downloads),
  with the book's own MathJax for the equations;
- a line under the chapter's "Exercises" heading that links the four files.

The code cells of the section (the computations behind the answers) are left out of both sheets: their
results are in the solutions. The sheets are plain HTML with a print stylesheet (``rsbook-sheet.css``),
so they print the same from a browser as from the build.

Environment: ``RSBOOK_CHROMIUM`` the browser (default ``/usr/bin/chromium``); ``RSBOOK_SHEETS=0`` skips the
PDFs (the HTML sheets are still written), e.g. for a quick local build.
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup
from sphinx.errors import ExtensionError
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
SECTION_ID = "exercises"
SHEET_DIR = "sheets"
KINDS = {"exercises": "Exercises", "solutions": "Exercises with solutions"}
PDF_TIMEOUT_S = 120
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=30000",
]
_LINKS_ANCHOR = re.compile(r'(<section id="exercises">\s*<h2>.*?</h2>)', re.S)


def sheet_name(docname: str, kind: str) -> str:
    """File stem of a sheet: ``book/01_neyman_pearson`` and ``solutions`` give ``01_neyman_pearson-solutions``."""
    return f"{Path(docname).name}-{kind}"


def _is_solution(node) -> bool:
    title = node.find("p", class_="admonition-title", recursive=False)
    return title is not None and title.get_text(strip=True) == "Solution"


def build_sheet(section, *, kind: str):
    """A copy of the page's Exercises section for one sheet: no code cells, no heading links; solutions
    removed (``kind="exercises"``) or open, as plain admonitions (``kind="solutions"``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    sheet = copy.copy(section)
    for node in sheet.select("div.cell, a.headerlink"):
        node.decompose()
    heading = sheet.find("h2")
    if heading is not None:  # the sheet's own title names the chapter and the kind
        heading.decompose()
    for node in sheet.select("div.admonition.dropdown"):
        if not _is_solution(node):
            continue
        if kind == "exercises":
            node.decompose()
        else:
            node["class"] = [c for c in node["class"] if c != "dropdown"] + ["rsbook-solution"]
    return sheet


def sheet_html(*, chapter_title: str, chapter_href: str, body: str, kind: str, static: str) -> str:
    """The standalone sheet page; `static` is the relative path to the book's ``_static``."""
    title = f"{chapter_title}: {KINDS[kind].lower()}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{static}/rsbook-sheet.css">
<script defer src="{static}/rsbook-vendor/mathjax/tex-chtml.js"></script>
</head>
<body class="rsbook-sheet rsbook-sheet-{kind}">
<header>
<p class="rsbook-sheet-source">From the chapter <a href="{html.escape(chapter_href)}">{html.escape(chapter_title)}</a>
of <em>Certified robustness by randomized smoothing</em>.</p>
<h1>{html.escape(chapter_title)}: {KINDS[kind].lower()}</h1>
</header>
<main>
{body}
</main>
</body>
</html>
"""


def links_html(docname: str) -> str:
    """The line placed under a chapter's Exercises heading (paths relative to the chapter's page)."""

    def pair(kind):
        stem = f"{SHEET_DIR}/{sheet_name(docname, kind)}"
        return f'<a href="{stem}.pdf">PDF</a> or <a href="{stem}.html">page</a>'

    return (
        f'\n<p class="rsbook-sheet-links">Printable sheets: the exercises alone ({pair("exercises")}); '
        f"with solutions ({pair('solutions')}).</p>"
    )


def chromium_executable() -> str:
    path = os.environ.get("RSBOOK_CHROMIUM", "/usr/bin/chromium")
    if not (shutil.which(path) or Path(path).is_file()):
        raise ExtensionError(
            f"the exercise sheets' PDFs need Chromium at {path} (Debian's `chromium`, which "
            "`make book` installs; set RSBOOK_CHROMIUM to another path, or RSBOOK_SHEETS=0 to skip the PDFs)"
        )
    return path


def print_pdf(chromium: str, page: Path, pdf: Path) -> None:
    """Print `page` to `pdf` with headless Chromium, offline (the page and its scripts are local files)."""
    pdf.unlink(missing_ok=True)
    command = [chromium, *CHROMIUM_ARGS, f"--print-to-pdf={pdf}", page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S)
    if done.returncode != 0 or not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
        raise ExtensionError(
            f"Chromium could not print {page} to PDF (exit status {done.returncode}):\n{done.stderr[-2000:]}"
        )


def _write_sheets(app, docname: str, page_html: Path, chromium: str | None) -> bool:
    text = page_html.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    section = soup.find("section", id=SECTION_ID)
    if section is None:
        return False
    heading = soup.find("h1")
    for link in heading.select("a.headerlink"):
        link.decompose()
    chapter_title = heading.get_text(" ", strip=True)
    out = Path(app.outdir)
    sheet_dir = out / Path(docname).parent / SHEET_DIR
    sheet_dir.mkdir(parents=True, exist_ok=True)
    static = Path(os.path.relpath(out / "_static", sheet_dir)).as_posix()
    chapter_href = Path(os.path.relpath(page_html, sheet_dir)).as_posix()
    for kind in KINDS:
        body = "".join(str(child) for child in build_sheet(section, kind=kind).children)
        target = sheet_dir / f"{sheet_name(docname, kind)}.html"
        target.write_text(
            sheet_html(chapter_title=chapter_title, chapter_href=chapter_href, body=body, kind=kind, static=static),
            encoding="utf-8",
        )
        if chromium is not None:
            print_pdf(chromium, target, target.with_suffix(".pdf"))
    if "rsbook-sheet-links" in text:  # a page Sphinx did not rewrite in this build has its links already
        return True
    page_html.write_text(_LINKS_ANCHOR.sub(lambda m: m.group(1) + links_html(docname), text, count=1), encoding="utf-8")
    return True


def _build_sheets(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    chromium = None if os.environ.get("RSBOOK_SHEETS") == "0" else chromium_executable()
    built = [
        doc for doc in sorted(app.env.found_docs) if _write_sheets(app, doc, Path(app.outdir) / f"{doc}.html", chromium)
    ]
    LOGGER.info(f"exercise sheets: {len(built)} chapters" + ("" if chromium else " (HTML only, RSBOOK_SHEETS=0)"))


def setup(app):
    app.connect("build-finished", _build_sheets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
