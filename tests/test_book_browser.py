"""The built book in a headless browser, offline: every page of the table of contents loads cleanly,
its plotly figures draw and their sliders work, its ipywidgets and its equations render.

Needs the built book (`make test` builds it first; or `make book`). Uses Debian's Chromium
(/usr/bin/chromium) through Playwright; never `playwright install`. The pages are served from
_build/html on 127.0.0.1; every other request is aborted and reported as a failure.

Environment:
  RSBOOK_ROOT         book root holding _toc.yml and _build/html (default: the repository root)
  RSBOOK_SCREENSHOTS  a folder: save a full-page screenshot of each page there after it settled
  RSBOOK_CHROMIUM     the browser executable (default /usr/bin/chromium)

Everything here is generic over pages: a new chapter in _toc.yml is covered without changes.
The fixtures live in this module and are prefixed `book_`, except `book_browser` (the browser), which
conftest.py shares with test_book_live.py: Playwright's sync API runs only once at a time in a process.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(os.environ.get("RSBOOK_ROOT", Path(__file__).resolve().parents[1]))
HTML = ROOT / "_build" / "html"
SETTLE_MS = 30_000  # the longest we wait for widgets, figures or equations to appear
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
WIDGET_STATE = 'script[type="application/vnd.jupyter.widget-state+json"]'


def toc_pages(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Every document of the jupyter-book table of contents, in reading order (without suffix)."""
    toc = yaml.safe_load(toc_file.read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key))

    walk([toc])  # the top level holds `root` (not `file`) and the parts/chapters/sections
    return [re.sub(r"\.(md|ipynb)$", "", p) for p in pages]


PAGES = toc_pages()
HTML_WEIGHT_LIMIT = 2e6  # bytes of a page's own HTML (figures and widget state; shared scripts are files of their own)
PAGE_WEIGHT_LIMIT = 20e6  # bytes per page, everything it loads included (cold cache)


# ---------------------------------------------------------------- fixtures (browser, server, pages)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def book_html() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first (`make test` does)", pytrace=False)
    return HTML


@pytest.fixture(scope="session")
def book_server(book_html):
    """Base URL of _build/html served on 127.0.0.1 (random port) from a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class BookPage:
    """One page of the book, opened once and settled; records what went wrong while it was open."""

    def __init__(self, browser, base: str, name: str):
        self.name = name
        self.url = f"{base}/{name}.html"
        self.host = urlsplit(base).netloc
        self.external: list[str] = []  # requests that tried to leave 127.0.0.1 (aborted)
        self.failed: list[str] = []  # local requests that failed or returned an error status
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.unsettled: list[str] = []  # what did not render within SETTLE_MS
        self.loaded: dict[str, int] = {}  # local URL -> bytes received (Content-Length)
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)
        self.page.goto(self.url, wait_until="load")
        self.settle()

    # -- recording
    def _is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.netloc == self.host

    def _route(self, route):
        url = route.request.url
        if self._is_local(url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def _console(self, msg):
        if msg.type == "error":
            text = msg.text
            # an aborted external request also logs a console error; it is reported as external
            if "ERR_BLOCKED_BY_CLIENT" in text:
                return
            self.console_errors.append(f"{text} (at {msg.location.get('url')}:{msg.location.get('lineNumber')})")

    def _request_failed(self, request):
        if self._is_local(request.url) and not request.url.startswith(("data:", "blob:")):
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response):
        if self._is_local(response.url) and response.status >= 400:
            self.failed.append(f"{response.url}: HTTP {response.status}")
        elif self._is_local(response.url) and response.url.startswith("http"):
            self.loaded[response.url] = int(response.headers.get("content-length", 0))

    # -- waiting
    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def _wait(self, what: str, js: str, arg=None) -> bool:
        """Wait until `js` is truthy; on a timeout record `what` as a problem of the page."""
        try:
            self.page.wait_for_function(js, arg=arg, timeout=SETTLE_MS)
            return True
        except Exception as err:  # playwright's TimeoutError, or a script error
            self.unsettled.append(f"{what} (after {SETTLE_MS / 1000:.0f} s: {str(err).splitlines()[0]})")
            return False

    def settle(self):
        """Wait until the widgets, the plotly figures and the equations of the page have rendered.

        Never raises: what did not render in time is recorded in `unsettled` (part of `problems()`).
        """
        page = self.page
        page.wait_for_load_state("networkidle")
        views = self.count(WIDGET_VIEW)
        if views and not self.count(WIDGET_STATE):
            self.unsettled.append(
                f"{views} widget outputs but no widget state on the page (the chapter's execution did not finish?)"
            )
        elif views:
            self._wait(
                f"{views} widget outputs should render",
                "n => document.querySelectorAll('.widget-subarea').length >= n"
                " && [...document.querySelectorAll('.widget-subarea')].every(e => e.children.length > 0)",
                views,
            )
        static_figures = self.count("div.plotly-graph-div")
        if static_figures:
            self._wait(
                f"{static_figures} plotly figures should draw",
                "n => document.querySelectorAll('.js-plotly-plot').length >= n"
                " && [...document.querySelectorAll('.js-plotly-plot')].every(gd => gd._fullLayout)",
                static_figures,
            )
        if self.count(".math"):
            if self._wait(
                "MathJax should load and typeset",
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                " && document.querySelector('mjx-container')",
            ):
                page.evaluate("() => MathJax.startup.promise")
        page.wait_for_load_state("networkidle")
        shots = os.environ.get("RSBOOK_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / (self.name.replace("/", "__") + ".png")), full_page=True)

    def problems(self) -> list[str]:
        return (
            [f"did not render: {u}" for u in self.unsettled]
            + [f"external request (aborted): {u}" for u in self.external]
            + [f"failed request: {u}" for u in self.failed]
            + [f"console error: {e}" for e in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
        )

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def book_page(book_browser, book_server):
    """`book_page(name)`: the settled page for a toc entry, opened once per session."""
    opened: dict[str, BookPage] = {}

    failed: dict[str, str] = {}

    def get(name: str) -> BookPage:
        if name in failed:
            pytest.fail(failed[name], pytrace=False)
        if name not in opened:
            if not (HTML / f"{name}.html").is_file():
                pytest.fail(f"{name}.html is not in {HTML}: rebuild the book (`make book`)", pytrace=False)
            try:
                opened[name] = BookPage(book_browser, book_server, name)
            except Exception as err:  # e.g. the page never finished loading: fail once, fast after
                failed[name] = f"{name} could not be opened: {err}"
                raise
        return opened[name]

    yield get
    for p in opened.values():
        p.close()


# ---------------------------------------------------------------- JavaScript probes

_FIGURES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((gd, i) => ({
    index: i,
    id: gd.id,
    traces: (gd._fullData || []).length,
    width: gd.getBoundingClientRect().width,
    height: gd.getBoundingClientRect().height,
    sliders: ((gd._fullLayout || {}).sliders || []).map(s => ({
        active: s.active, steps: s.steps.length,
        methods: [...new Set(s.steps.map(t => t.method))]})),
}))"""

# A digest of what a figure shows: its traces' data, and the parts of its layout sliders change.
_DIGEST_JS = """([i, what]) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[i];
    const plain = (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v);
    if (what === 'data') {
        return JSON.stringify(gd._fullData.map(t => ({visible: t.visible, x: t.x, y: t.y, z: t.z,
            text: t.text, r: t.r, theta: t.theta, marker: t.marker && t.marker.color,
            line: t.line && t.line.color, name: t.name})), plain);
    }
    const L = gd._fullLayout;
    return JSON.stringify({shapes: L.shapes, annotations: (L.annotations || []).map(a => a.text),
        title: L.title && L.title.text, x: L.xaxis && L.xaxis.range, y: L.yaxis && L.yaxis.range}, plain);
}"""


def _page_flags(p: BookPage) -> dict:
    return {"figures": p.page.evaluate(_FIGURES_JS), "widget_views": p.count(WIDGET_VIEW), "math": p.count(".math")}


# ---------------------------------------------------------------- tests


def test_toc_pages_are_built(book_html):
    missing = [name for name in PAGES if not (book_html / f"{name}.html").is_file()]
    assert not missing, f"pages in _toc.yml without HTML (rebuild the book): {missing}"
    stale = [
        name
        for name in PAGES
        for src in ROOT.glob(f"{name}.*")
        if src.suffix in (".md", ".ipynb") and src.stat().st_mtime > (book_html / f"{name}.html").stat().st_mtime
    ]
    if stale:
        warnings.warn(f"changed since the book was built (testing the old pages): {stale}", stacklevel=1)


def test_no_cell_writes_warnings_or_errors(book_html):
    """Chapters' cells print results only: a warning or traceback on stderr is a bug to fix, not to show."""
    found = {}
    for name in PAGES:
        html = (book_html / f"{name}.html").read_text(encoding="utf-8")
        for block in re.findall(r'class="output (?:stderr|traceback)[^"]*">(.*?)</pre>', html, flags=re.S):
            text = re.sub(r"<[^>]+>", "", block)
            if re.search(r"Warning|Error|Traceback", text):
                found.setdefault(name, []).append(text.strip().splitlines()[0][:160])
    assert not found, f"cells wrote warnings or errors: {found}"


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_without_errors(book_page, name):
    p = book_page(name)
    title = p.page.title()
    assert title and "404" not in title, f"{name}: no title"
    assert not p.problems(), f"{name}:\n  " + "\n  ".join(p.problems())


@pytest.mark.parametrize("name", PAGES)
def test_equations_render(book_page, name):
    p = book_page(name)
    math = p.count(".math")
    if not math:
        pytest.skip(f"{name} has no equations")
    rendered = p.count("mjx-container")
    assert rendered >= math, f"{name}: {math} equations but {rendered} typeset by MathJax"
    errors = p.page.locator("mjx-merror").all_inner_texts()
    assert not errors, f"{name}: MathJax errors: {errors}"


@pytest.mark.parametrize("name", PAGES)
def test_plotly_figures_render(book_page, name):
    p = book_page(name)
    figures = p.page.evaluate(_FIGURES_JS)
    static = p.count("div.plotly-graph-div")  # figures in the HTML; FigureWidgets come on top
    if not figures and not static:
        pytest.skip(f"{name} has no plotly figures")
    assert len(figures) >= static, f"{name}: {static} figures in the page, {len(figures)} drawn: {p.problems()}"
    empty = [f for f in figures if f["traces"] == 0 or f["width"] < 100 or f["height"] < 100]
    assert not empty, f"{name}: figures without traces or size: {empty}"


@pytest.mark.parametrize("name", PAGES)
def test_ipywidgets_render(book_page, name):
    p = book_page(name)
    views = p.count(WIDGET_VIEW)
    if not views:
        pytest.skip(f"{name} has no ipywidgets")
    errors = p.page.locator(".jupyter-widgets-error-widget").all_inner_texts()
    assert not errors, f"{name}: widgets failed to render: {errors}"
    rendered = p.count(".widget-subarea .jupyter-widgets")
    assert rendered >= views, f"{name}: {views} widget outputs, {rendered} rendered: {p.unsettled}"
    boxes = p.page.evaluate("""() => [...document.querySelectorAll('.widget-subarea')].map(
        e => e.getBoundingClientRect().height)""")
    assert all(h > 0 for h in boxes), f"{name}: widget areas with no height: {boxes}"


_SAVED_WIDGETS_JS = """() => {
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
        .map(s => JSON.parse(s.textContent).model_id);
    const models = Object.assign({}, ...[...document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-state+json"]')].map(s => JSON.parse(s.textContent).state || {}));
    const seen = new Set(), stack = [...views];
    while (stack.length) {
        const id = stack.pop();
        if (seen.has(id) || !(id in models)) continue;
        seen.add(id);
        stack.push(...[...JSON.stringify(models[id].state).matchAll(/IPY_MODEL_([0-9a-f]+)/g)].map(m => m[1]));
    }
    return {views: views.length, unshown: Object.keys(models).filter(id => !seen.has(id))
        .map(id => models[id].model_name)};
}"""


@pytest.mark.parametrize("name", PAGES)
def test_the_saved_widget_state_holds_only_widgets_the_page_shows(book_page, name):
    """Widgets of removed cells (explorers only a kernel can redraw) are not created on the static page: a
    plotly FigureWidget among them would fetch its 5 MB module (book/_ext/rsbook_offline.py)."""
    p = book_page(name)
    saved = p.page.evaluate(_SAVED_WIDGETS_JS)
    if not saved["views"]:
        pytest.skip(f"{name} shows no ipywidgets")
    assert not saved["unshown"], f"{name}: saved widgets no view shows: {saved['unshown']}"
    fetched = [url for url in p.loaded if "rsbook-esm-" in url]
    shows_anywidget = p.page.evaluate("() => document.body.innerHTML.includes('AnyModel')")
    assert shows_anywidget or not fetched, f"{name}: fetched widget modules it shows no widget of: {fetched}"


@pytest.mark.parametrize("name", PAGES)
def test_plotly_sliders_change_the_figure(book_page, name):
    """Every slider of every plotly figure: clicking another step changes what the figure shows."""
    p = book_page(name)
    figures = [f for f in p.page.evaluate(_FIGURES_JS) if f["sliders"]]
    if not figures:
        pytest.skip(f"{name} has no plotly sliders")
    page = p.page
    for fig in figures:
        i = fig["index"]
        gd = page.locator(".js-plotly-plot").nth(i)
        for s, slider in enumerate(fig["sliders"]):
            if slider["steps"] < 2 or slider["methods"] == ["skip"]:
                continue
            before = {w: page.evaluate(_DIGEST_JS, [i, w]) for w in ("data", "layout")}
            active = slider["active"]
            target = 0 if active == slider["steps"] - 1 else slider["steps"] - 1
            rail = gd.locator(".slider-container").nth(s).locator(".slider-rail-touch-rect")
            rail.scroll_into_view_if_needed()
            box = rail.bounding_box()
            assert box, f"{name}: figure {i} slider {s} is not visible"
            x = box["x"] + (3 if target == 0 else box["width"] - 3)
            page.mouse.click(x, box["y"] + box["height"] / 2)
            page.wait_for_function(
                "([i, s, a]) => document.querySelectorAll('.js-plotly-plot')[i]._fullLayout.sliders[s].active !== a",
                arg=[i, s, active],
                timeout=10_000,
            )
            # the step's method (restyle/update/relayout/animate) applies asynchronously
            watch = (
                ["layout"]
                if slider["methods"] == ["relayout"]
                else (["data", "layout"] if "update" in slider["methods"] else ["data"])
            )
            changed = []
            for _ in range(50):
                changed = [w for w in watch if page.evaluate(_DIGEST_JS, [i, w]) != before[w]]
                if changed:
                    break
                page.wait_for_timeout(100)
            assert changed, (
                f"{name}: figure {i} ({fig['id']}) slider {s}: moving from step {active} "
                f"to {target} changed nothing in its {' or '.join(watch)}"
            )
    assert not p.problems(), f"{name} after moving sliders:\n  " + "\n  ".join(p.problems())


def test_book_has_sliders_widgets_and_equations(book_page):
    """The book as a whole shows plotly figures with sliders, ipywidgets and equations."""
    seen = {"slider": [], "widgets": [], "math": []}
    for name in PAGES:
        flags = _page_flags(book_page(name))
        if any(f["sliders"] for f in flags["figures"]):
            seen["slider"].append(name)
        if flags["widget_views"]:
            seen["widgets"].append(name)
        if flags["math"]:
            seen["math"].append(name)
    assert all(seen.values()), f"pages with each feature: {json.dumps(seen)}"


def test_page_weights_are_reported_and_bounded(book_page, book_html):
    """Bytes a reader's browser fetches for each page, written to _build/page-weights.tsv: the page's own
    HTML (its figures' data and widget state) and everything it loads (scripts, styles, fonts), most of which
    is shared by every page and cached: MathJax, the widget manager, plotly.js (one file in _static/, see
    book/_ext/rsbook_offline.py). A plotly FigureWidget's state carries a few kB that draw it with that plotly.js."""
    rows = []
    for name in PAGES:
        p = book_page(name)
        html = (book_html / f"{name}.html").stat().st_size
        rows.append((name, html, sum(p.loaded.values()), len(p.loaded)))
    report = "page\thtml_bytes\ttotal_bytes\trequests\n" + "".join(f"{n}\t{h}\t{t}\t{r}\n" for n, h, t, r in rows)
    (book_html.parent / "page-weights.tsv").write_text(report)
    print("\n" + report)
    heavy = [
        f"{n}: {h / 1e6:.1f} MB of HTML, {t / 1e6:.1f} MB in all"
        for n, h, t, _ in rows
        if h > HTML_WEIGHT_LIMIT or t > PAGE_WEIGHT_LIMIT
    ]
    assert not heavy, (
        f"pages above {HTML_WEIGHT_LIMIT / 1e6:.0f} MB of HTML or {PAGE_WEIGHT_LIMIT / 1e6:.0f} MB in all: {heavy}"
    )
    assert all(t >= h > 0 for _, h, t, _ in rows)


def test_search_works_offline(book_page):
    """Sphinx's client-side search finds the book's subject."""
    p = book_page("search")
    p.page.goto(p.url + "?q=smoothing", wait_until="load")
    results = p.page.locator("#search-results li, ul.search li")
    results.first.wait_for(timeout=SETTLE_MS)
    assert results.count() >= 1
    assert not p.problems(), "search:\n  " + "\n  ".join(p.problems())


# ---------------------------------------------------------------- exercises, sheets and print


def _has_exercises(name: str) -> bool:
    source = ROOT / f"{name}.md"
    return source.is_file() and re.search(r"^## Exercises\s*$", source.read_text(encoding="utf-8"), re.M) is not None


EXERCISE_PAGES = [name for name in PAGES if _has_exercises(name)]
SHEET_KINDS = ("exercises", "solutions")
A4_PT = (595.3, 841.9)  # 210 x 297 mm: the sheets' paper (rsbook-sheet.css), in PDF points

# Outputs of code cells, and answers glued into solutions, that a reader can see now.
_VISIBLE_ANSWERS_JS = """() => {
    const section = document.querySelector('section#exercises');
    if (!section) { return null; }
    const seen = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true})
        && el.getBoundingClientRect().height > 0;
    const outputs = [...section.querySelectorAll('.cell_output, div.output')];
    return {outputs: outputs.length, solutions: section.querySelectorAll('.admonition.dropdown').length,
            visible: outputs.filter(seen).map(el => el.innerText.trim().slice(0, 80))};
}"""


@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_exercise_answers_stay_hidden_until_their_solution_opens(book_page, name):
    """No number that answers an exercise shows below a closed solution; opening the solutions shows them."""
    p = book_page(name)
    closed = p.page.evaluate(_VISIBLE_ANSWERS_JS)
    assert closed is not None, f"{name}: the source has '## Exercises' but the page has no section#exercises"
    assert closed["solutions"] > 0, f"{name}: exercises without a single solution dropdown"
    assert not closed["visible"], f"{name}: answers visible while every solution is closed: {closed['visible']}"
    titles = p.page.locator("section#exercises .admonition.dropdown > .admonition-title")
    for i in range(titles.count()):
        titles.nth(i).click()
    p.page.wait_for_timeout(500)  # the toggle's transition
    opened = p.page.evaluate(_VISIBLE_ANSWERS_JS)
    for i in range(titles.count()):
        titles.nth(i).click()
    p.page.wait_for_function(
        "() => [...document.querySelectorAll('section#exercises .admonition.dropdown')]"
        ".every(d => d.classList.contains('toggle-hidden'))",
        timeout=SETTLE_MS,
    )
    assert len(opened["visible"]) == opened["outputs"], (
        f"{name}: with every solution open, {opened['outputs'] - len(opened['visible'])} of the section's "
        f"{opened['outputs']} outputs are still hidden: an answer outside any solution, or in a folded code cell"
    )


_PRINT_JS = """() => {
    const seen = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true})
        && el.getBoundingClientRect().height > 0;
    const bars = ['.bd-header', '.bd-header-article', '.bd-sidebar-primary', '.bd-sidebar-secondary',
                  '.prev-next-footer', 'button.toggle-button', 'details.hide > summary', '.modebar-container',
                  '.js-plotly-plot .slider-container'];
    const width = document.documentElement.clientWidth;
    const cut = [...document.querySelectorAll('article pre, article table, article .cell_output, '
                                              + 'article mjx-container, article .js-plotly-plot')]
        .filter(el => seen(el) && ((!el.matches('mjx-container:not([display="true"])') && el.scrollWidth > el.clientWidth + 2)
                                   || el.getBoundingClientRect().right > width + 2))
        .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ': '
             + (el.innerText || el.textContent || '').trim().slice(0, 60));
    const open = [...document.querySelectorAll('.admonition.dropdown')]
        .filter(el => [...el.children].some(c => !c.classList.contains('admonition-title') && seen(c))).length;
    return {bars: bars.filter(s => [...document.querySelectorAll(s)].some(seen)), open, cut,
            page: document.documentElement.scrollWidth - width};
}"""
PRINT_WIDTH = 718  # px: an A4 page (210 mm) less 2 x 15 mm margins, at 96 px per inch


@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_chapter_prints_without_interface_open_solutions_or_cut_content(book_page, name):
    """What the theme's PDF button (window.print) gives, emulated at an A4 page's width."""
    p = book_page(name)
    p.page.set_viewport_size({"width": PRINT_WIDTH, "height": 1000})
    p.page.emulate_media(media="print")
    try:
        p.page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        p.page.wait_for_timeout(500)
        state = p.page.evaluate(_PRINT_JS)
    finally:
        p.page.emulate_media(media="screen")
        p.page.set_viewport_size({"width": 1280, "height": 900})
        p.page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert not state["bars"], f"{name}: interface printed: {state['bars']}"
    assert state["open"] == 0, f"{name}: {state['open']} closed solutions print open"
    assert state["page"] <= 2 and not state["cut"], (
        f"{name}: content wider than the printed page ({state['page']} px over): {state['cut'][:10]}"
    )


@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_exercise_sheets_are_built_and_linked(book_html, name):
    """`make book` writes each chapter's sheets (HTML and PDF, with and without solutions) and links them."""
    page = (book_html / f"{name}.html").read_text(encoding="utf-8")
    sheets = book_html / Path(name).parent / "sheets"
    stem = Path(name).name
    for kind in SHEET_KINDS:
        for suffix in (".html", ".pdf"):
            target = sheets / f"{stem}-{kind}{suffix}"
            assert target.is_file(), f"{name}: {target} was not built"
            assert f'href="sheets/{stem}-{kind}{suffix}"' in page, f"{name}: no link to {target.name}"
        pdf = (sheets / f"{stem}-{kind}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-"), f"{stem}-{kind}.pdf"
        pages = {(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
        assert pages and all(abs(w - A4_PT[0]) < 2 and abs(h - A4_PT[1]) < 2 for w, h in pages), (
            f"{stem}-{kind}.pdf: pages of {pages} pt, not A4 {A4_PT}"
        )
    exercises = (sheets / f"{stem}-exercises.html").read_text(encoding="utf-8")
    solutions = (sheets / f"{stem}-solutions.html").read_text(encoding="utf-8")
    prompts = re.findall(r"<strong>Exercise (\d+\.\d+)", page)
    assert prompts and re.findall(r"<strong>Exercise (\d+\.\d+)", exercises) == prompts
    assert re.findall(r"<strong>Exercise (\d+\.\d+)", solutions) == prompts
    # the sheet without solutions keeps the prompts' Hint dropdowns: only a Solution title gives an answer away
    assert 'admonition-title">Solution' not in exercises, f"{name}: a solution on the sheet without solutions"
    assert solutions.count('class="admonition-title">Solution<') == page.count('admonition-title">Solution<')
    section = page[page.index('<section id="exercises">') :]
    for answer in re.findall(
        r'<div class="output text_plain[^"]*"><div class="highlight"><pre>(.*?)</pre>', section, re.S
    ):
        assert answer in solutions, f"{name}: an answer missing from the solution sheet: {answer[:80]}"


def test_no_progress_bars_in_the_built_pages(book_html):
    """A progress bar is frozen in the static HTML (tqdm's widget, or its text form): the chapters turn them off."""
    found = {}
    for name in PAGES:
        html = (book_html / f"{name}.html").read_text(encoding="utf-8")
        hits = len(re.findall(r'"_model_name": ?"FloatProgressModel"', html)) + len(
            re.findall(r"\d+(?:\.\d+)?(?:it/s|s/it)\]", html)  # tqdm's rate: fast (it/s) or slow (s/it)
        )
        if hits:
            found[name] = hits
    assert not found, f"progress bars in the built pages (pass progress=False in the chapter): {found}"


@pytest.mark.parametrize("name", PAGES)
def test_every_static_ipywidget_says_it_is_frozen(book_page, name):
    """A static page cannot run a widget's Python: each widget output carries the label that says so."""
    p = book_page(name)
    outputs = p.page.evaluate(
        """sel => new Set([...document.querySelectorAll(sel)].map(s => s.parentElement)).size""", WIDGET_VIEW
    )
    labels = p.page.locator(".rsbook-frozen-widget")
    assert labels.count() == outputs, f"{name}: {outputs} widget outputs, {labels.count()} frozen-widget labels"
    for i in range(labels.count()):
        assert labels.nth(i).is_visible() and "make live" in labels.nth(i).inner_text()


@pytest.mark.parametrize("width", [390, 600, 900])
def test_chapter_list_opens_on_phones_and_tablets(book_browser, book_server, width):
    """Below 992 px the sidebar is behind the menu button; pressing it shows the chapter list."""
    context = book_browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if urlsplit(route.request.url).netloc == urlsplit(book_server).netloc
                else route.abort("blockedbyclient")
            ),
        )
        page.goto(f"{book_server}/{PAGES[1]}.html", wait_until="load")
        buttons = [b for b in page.locator(".primary-toggle").all() if b.is_visible()]
        assert buttons, f"{width} px: no visible menu button"
        buttons[0].click()
        page.wait_for_timeout(500)
        chapters = page.locator("dialog#pst-primary-sidebar-modal[open] nav a.reference")
        assert chapters.count() >= len(PAGES) - 1 and chapters.first.is_visible(), (
            f"{width} px: the menu button did not open the chapter list"
        )
        chapters.nth(2).click()
        page.wait_for_load_state("load")
        assert page.url.endswith(".html") and page.url != f"{book_server}/{PAGES[1]}.html"
    finally:
        context.close()


@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_chapter_downloads_as_a_notebook(book_html, name):
    """The download menu offers the chapter as .ipynb (no outputs: the reader runs it) beside its .md."""
    import nbformat

    page = (book_html / f"{name}.html").read_text(encoding="utf-8")
    notebook = book_html / "_sources" / f"{name}.ipynb"
    assert notebook.is_file(), f"{name}: {notebook} was not written"
    assert re.search(rf'href="[^"]*_sources/{re.escape(name)}\.ipynb" download', page), f"{name}: no .ipynb link"
    assert re.search(rf'href="[^"]*_sources/{re.escape(name)}\.md" download', page), (
        f"{name}: .md link shows, not saves"
    )
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    source = (ROOT / f"{name}.md").read_text(encoding="utf-8")
    assert sum(cell.cell_type == "code" for cell in nb.cells) == source.count("```{code-cell}")


def test_no_empty_index_page(book_html):
    """No general index page, and no link to one (_config.yml, html_use_index: its entries would be only the
    library reference's names, which the reference pages list already)."""
    assert not (book_html / "genindex.html").exists()
    linked = [name for name in PAGES if "genindex.html" in (book_html / f"{name}.html").read_text(encoding="utf-8")]
    assert not linked, f"pages linking the index: {linked}"


def test_titles_have_no_tex_source(book_html):
    """Tab titles, the sidebar and the search index show titles in Unicode (ℓ₁), never TeX (\\(\\ell_1\\))."""
    tex = re.compile(r"\\[(\[A-Za-z]|\$")
    bad = {}
    for name in PAGES:
        html = (book_html / f"{name}.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S)
        found = [t for t in [title, *headings] if tex.search(re.sub(r"<[^>]+>", "", t))]
        if found:
            bad[name] = found[:3]
    index = (book_html / "searchindex.js").read_text(encoding="utf-8")
    titles = json.loads(index[index.index("(") + 1 : index.rindex(")")])
    tex_titles = [t for t in [*titles["titles"], *titles.get("alltitles", {})] if tex.search(t)]
    assert not bad and not tex_titles, f"TeX in titles: pages {bad}, search index {tex_titles[:5]}"


# TeX that must not reach a search snippet: a command with its backslash, or the name left when only the
# backslash went ("fracm", "binomde", "Big(")
_TEX_LEFTOVER = re.compile(r"\\[(\[A-Za-z|]|\b[dt]?frac(?!tion)|\bbinom(?!ial)|\bBig\b|mathbb")


@pytest.mark.parametrize("query", ["certificate", "ablation", "likelihood"])
def test_search_snippets_show_no_tex_source(book_page, query):
    """The snippets under search results come from the pages' HTML, whose equations are TeX until MathJax
    runs; book/_assets/rsbook-search.js turns them into Unicode first."""
    p = book_page("search")
    p.page.goto(f"{p.url}?q={query}", wait_until="load")
    snippets = p.page.locator("#search-results p.context, ul.search p.context")
    snippets.first.wait_for(timeout=SETTLE_MS)
    p.page.wait_for_timeout(2000)  # the snippets of later results arrive one by one
    texts = [snippets.nth(i).inner_text() for i in range(snippets.count())]
    assert texts
    leaked = [t[:120] for t in texts if _TEX_LEFTOVER.search(t)]
    assert not leaked, f"TeX source in search snippets for {query!r}: {leaked[:3]}"


# TeX as the chapters write it -> the plain text a search snippet shows
_TEX_SAMPLES = {
    r"\(\binom{d}{e}\)": "C(d, e)",
    r"\(\binom{d-r}{e}/\binom{d}{e}\)": "C(d-r, e)/C(d, e)",
    r"\(\exp\Big((\delta^\top(z-\mu)-\tfrac12\|\delta\|^2)/\sigma^2\Big)\)": "exp((δ^ᵀ(z-μ)-1/2‖δ‖^2)/σ^2)",
    r"\[R = \frac{m\,\sigma}{2\sqrt{2/\pi}} = m\,\sigma\sqrt{\pi/8}.\]": "R = (m σ)/(2√(2/π)) = m σ √(π/8).",
    r"\(\frac{\sigma}{2}\left(\Phi^{-1}(\underline{p_A}) - \Phi^{-1}(\overline{p_B})\right)\)": (
        "σ/2(Φ^(-1)(p_A) - Φ^(-1)(p_B))"
    ),
    r"\(\ell_1\)": "ℓ₁",
    r"\(\mathbb{P}(f(x+\varepsilon)=c_A)\ge p_A\)": "ℙ(f(x+ε)=c_A)≥ p_A",
    r"\(\left\{z : \|z\|_2 \le r\right\}\)": "{z : ‖z‖₂ ≤ r}",
    r"\(\displaystyle\sum_{i=1}^{n} x_i\)": "Σ_(i=1)^n x_i",
    r"\(\operatorname*{arg\,max}_c \dfrac{a+b}{c}\)": "arg max_c (a+b)/c",
}


def test_search_turns_tex_into_plain_text(book_page):
    """rsbook-search.js's converter on TeX the book writes: nested groups resolve from the inside, sizing
    commands vanish, and a command it does not know leaves nothing (never its bare name)."""
    p = book_page("search")
    got = p.page.evaluate("samples => samples.map(window.rsbookTexToPlain)", list(_TEX_SAMPLES))
    wrong = {tex: plain for (tex, want), plain in zip(_TEX_SAMPLES.items(), got) if plain != want}
    assert not wrong, f"rsbookTexToPlain gave: {wrong}"


_CUT_OFF_JS = """() => {
    const width = document.documentElement.clientWidth;
    const scrolls = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
    const seen = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true})
        && el.getBoundingClientRect().height > 0;
    const cut = [...document.querySelectorAll('article pre, article table, article .cell_output, article img, '
                                              + 'article mjx-container[display="true"], article .js-plotly-plot, '
                                              + 'article .widget-subarea, article dt.sig')]
        // a signature's box keeps the column's width while the text runs on past it
        .filter(el => seen(el) && !scrolls(el) && (el.getBoundingClientRect().right > width + 2
                                                 || (el.matches('dt.sig') && el.scrollWidth > el.clientWidth + 2)))
        .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].slice(0, 2).join('.') + ': '
             + Math.round(Math.max(el.getBoundingClientRect().right - width, el.scrollWidth - el.clientWidth)) + ' px'
             + (el.matches('dt.sig') ? ' (' + (el.id || el.innerText.slice(0, 40)) + ')' : ''));
    return {page: document.documentElement.scrollWidth - width, cut};
}"""


@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_cut_off_on_a_phone(book_browser, book_server, name):
    """At 390 px (a phone) no content runs past the screen's edge: code and outputs wrap, tables and long
    equations scroll inside their own box or are scaled down, figures take the screen's width; on the library
    reference's pages, signatures wrap. Every page of the table of contents, not only the chapters."""
    context = book_browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if urlsplit(route.request.url).netloc == urlsplit(book_server).netloc
                else route.abort("blockedbyclient")
            ),
        )
        page.goto(f"{book_server}/{name}.html", wait_until="networkidle")
        page.wait_for_function(
            "() => !document.querySelector('.math') || (window.MathJax && MathJax.startup"
            " && document.querySelector('mjx-container'))",
            timeout=SETTLE_MS,
        )
        page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        page.wait_for_timeout(500)  # rsbook-print.js scales wide equations once they are typeset
        state = page.evaluate(_CUT_OFF_JS)
    finally:
        context.close()
    assert state["page"] <= 2 and not state["cut"], (
        f"{name} at 390 px: {state['page']} px too wide; cut: {state['cut'][:8]}"
    )
