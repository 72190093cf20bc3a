"""The library reference (book/api, written by book/_ext/rsbook_api.py): every public name of rslib has an entry
with an anchor, the equations of its docstring are on its entry, and the chapters' links land on an entry.

The tests of the built pages need the built book (`make test` builds it first; or `make book`), as in
tests/test_book_browser.py, which also opens the reference pages in a browser (MathJax, offline, weight).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sphinx.errors import ExtensionError

REPOSITORY = Path(__file__).resolve().parents[1]
ROOT = Path(os.environ.get("RSBOOK_ROOT", REPOSITORY))
HTML = ROOT / "_build" / "html"
API = "book/api"
sys.path.insert(0, str(REPOSITORY / "book" / "_ext"))
import rsbook_api  # noqa: E402  (book/_ext is no package)

import rslib  # noqa: E402

SUBPACKAGES = rslib._SUBPACKAGES
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("0*.md"))
MATH = re.compile(r"\.\. math::|:math:`")


def toc_files() -> list[str]:
    """Every file of _toc.yml (root, chapters and their sections), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            files.append(entry["file"])
            walk(entry.get("sections"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in files]


def entries(module) -> dict[str, object]:
    """anchor -> object for everything the reference page of `module` must show: its ``__all__``, its
    public submodules, and the ``__all__`` of each documented module (`rslib.theory`'s modules)."""
    found = {}
    for name in rsbook_api.documented_names(module):
        value = getattr(module, name)
        if inspect.ismodule(value):
            found[f"module-{value.__name__}"] = value
            found.update({f"{value.__name__}.{n}": getattr(value, n) for n in value.__all__})
        else:
            found[f"{module.__name__}.{name}"] = value
    return found


# ---------------------------------------------------------------- the extension, without a build


def test_each_kind_of_name_gets_its_autodoc_directive():
    from rslib import certificates, cli, smoothing, theory

    assert rsbook_api.entry_lines("gaussian_l2", certificates.gaussian_l2) == [".. autofunction:: gaussian_l2"]
    assert rsbook_api.entry_lines("NOT_CERTIFIED", certificates.NOT_CERTIFIED) == [".. autodata:: NOT_CERTIFIED"]
    # a dict of classes (or a path of this machine) is described by its docstring, not printed
    assert ".. autodata:: REGISTRY" in rsbook_api.entry_lines("REGISTRY", certificates.REGISTRY)
    assert "   :no-value:" in rsbook_api.entry_lines("COMMANDS", cli.COMMANDS)
    assert "   :show-inheritance:" in rsbook_api.entry_lines("Gaussian", smoothing.Gaussian)
    assert rsbook_api.entry_lines("NonFiniteLogitsError", smoothing.NonFiniteLogitsError)[0].startswith(
        ".. autoexception::"
    )
    assert ".. automodule:: rslib.theory.norms" in rsbook_api.entry_lines("norms", theory.norms)


def test_public_submodules_are_documented_after_all():
    from rslib import certificates, cli

    assert rsbook_api.documented_names(cli) == [*cli.__all__, "analyze", "certify", "train"]
    assert rsbook_api.documented_names(certificates) == certificates.__all__  # private modules stay out


def test_a_constant_docstring_is_found_where_the_constant_is_defined():
    """`rslib.smoothing` imports NOT_CERTIFIED from `rslib.certificates`, which imports it from `_common`."""
    doc = rsbook_api.attribute_doc("rslib.smoothing", "NOT_CERTIFIED")
    assert doc and doc[0].startswith("The radius returned where the bounds certify nothing")
    assert rsbook_api.attribute_doc("rslib.zoo", "OPTIMIZERS") is None  # none written


# ---------------------------------------------------------------- the built pages


@pytest.fixture(scope="module")
def book_html() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first (`make test` does)", pytrace=False)
    return HTML


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_subpackage_has_a_reference_page_in_the_toc():
    files = toc_files()
    for sub in SUBPACKAGES:
        source = ROOT / API / f"{sub}.md"
        assert f"{API}/{sub}" in files, f"{source} is not in _toc.yml"
        assert f".. rslib-api:: rslib.{sub}\n" in source.read_text(encoding="utf-8"), f"{source}: no rslib-api"


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_every_public_name_has_an_entry_with_its_equations(book_html, sub):
    page = book_html / API / f"{sub}.html"
    assert page.is_file(), f"{page} was not built"
    if (ROOT / API / f"{sub}.md").stat().st_mtime > page.stat().st_mtime:
        warnings.warn(f"{API}/{sub}.md changed since the book was built (testing the old page)", stacklevel=1)
    soup = _soup(page)
    table = {a["href"] for a in soup.select("table.autosummary a[href]")}
    missing, unlisted, no_math = [], [], []
    for anchor, value in entries(importlib.import_module(f"rslib.{sub}")).items():
        target = soup.find(id=anchor)
        if target is None:
            missing.append(anchor)
            continue
        if anchor.count(".") == 2 and f"#{anchor}" not in table:  # the page's own names are in its table
            unlisted.append(anchor)
        doc = inspect.getdoc(value) if callable(value) or inspect.ismodule(value) else None
        if target.name == "dt" and doc and MATH.search(doc):
            body = target.find_next_sibling("dd")
            if not body or not body.select(".math"):
                no_math.append(anchor)
    assert not missing, f"{sub}: names without an entry (anchor) on {page.name}: {missing}"
    assert not unlisted, f"{sub}: entries missing from the summary table: {unlisted}"
    assert not no_math, f"{sub}: entries whose docstring has an equation but whose page shows none: {no_math}"


def _reference_links(book_html: Path, name: str) -> list[tuple[str, str]]:
    """(href, resolved page path relative to the book) of each link from the page's text into book/api."""
    page = book_html / f"{name}.html"
    links = []
    for a in _soup(page).select("article a[href]"):
        href = a["href"]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(name), parts.path))
        if target.startswith(f"{API}/"):
            links.append((href, target))
    return links


def test_chapter_links_land_on_an_entry(book_html):
    """Each {py:obj}/{py:mod} role of a page's source is a link to an anchor that exists on a reference page,
    and every chapter links to the reference."""
    ids: dict[str, set[str]] = {}
    broken, unlinked, without = [], [], []
    for name in toc_files():
        if name.startswith(f"{API}/"):
            continue
        source = (ROOT / f"{name}.md").read_text(encoding="utf-8")
        links = _reference_links(book_html, name)
        to_entries = [(href, target) for href, target in links if "#" in href]
        roles = len(re.findall(r"\{py:(?:obj|mod|func|class|data)\}`", source))
        if len(to_entries) != roles:
            unlinked.append(f"{name}: {roles} roles in the source, {len(to_entries)} links to entries")
        if Path(name).stem in CHAPTERS and not links:
            without.append(name)
        for href, target in links:
            page = book_html / target
            if target not in ids:
                ids[target] = (
                    set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8"))) if page.is_file() else set()
                )
            fragment = urlsplit(href).fragment
            if not page.is_file() or (fragment and fragment not in ids[target]):
                broken.append(f"{name}: {href}")
    assert not broken, f"links into the reference that land nowhere: {broken}"
    assert not unlinked, f"roles that did not become links to an entry: {unlinked}"
    assert not without, f"chapters without a link to the library reference: {without}"


def test_the_build_refuses_an_rslib_from_another_checkout(tmp_path):
    """rslib is imported from this repository; a book elsewhere would be documented with the wrong copy."""

    class App:
        srcdir = tmp_path

    with pytest.raises(ExtensionError, match="not from the book's checkout"):
        rsbook_api._check_rslib_origin(App())
    App.srcdir = REPOSITORY
    rsbook_api._check_rslib_origin(App())
