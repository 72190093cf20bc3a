"""The built book in headless Chromium, as a reader sees it: every page of the table of contents loads
with no console error and no request leaving the machine; plotly figures render and their sliders move
them; widgets render; equations typeset offline; search works.

Needs the built book (`make book`; `make test` builds it first) and Debian's chromium.
"""
import functools
import http.server
import threading
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [entry["file"] for entry in toc.get("chapters", [])]


PAGES = _toc_pages()


@pytest.fixture(scope="session")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail("the book is not built: run `make book` (or `make test`, which builds it first)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A page opened in a fresh context, recording console errors and every off-machine request."""

    def __init__(self, browser, site, path):
        self.errors, self.external = [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(f"{site}/{path}", wait_until="load", timeout=60_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith("http://127.0.0.1:") or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def wait_for_plots(self):
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.plotly-graph-div')].every(d => d._fullData && d._fullData.length)",
            timeout=60_000)


@pytest.fixture
def visit(browser, site):
    opened = []

    def open_page(path):
        v = Visit(browser, site, path)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.context.close()


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors(visit, page):
    v = visit(f"{page}.html")
    v.wait_for_plots()
    v.page.wait_for_timeout(1500)  # late scripts (widgets, MathJax) report errors asynchronously
    assert v.external == [], f"{page} requested off-machine resources"
    assert v.errors == [], f"{page} logged console errors"


@pytest.mark.parametrize("page", PAGES)
def test_plotly_figures_render_and_sliders_move_them(visit, page):
    v = visit(f"{page}.html")
    v.wait_for_plots()
    figures = v.page.locator(".plotly-graph-div")
    for i in range(figures.count()):
        figure = figures.nth(i)
        assert figure.evaluate("gd => gd._fullData.length") > 0
        if figure.locator(".slider-rail-rect").count() == 0:
            continue
        figure.scroll_into_view_if_needed()
        before = figure.evaluate("gd => JSON.stringify(gd._fullData.map(t => [t.x, t.y]))")
        label_before = figure.locator(".slider-label").first.text_content()
        rail = figure.locator(".slider-rail-rect").first.bounding_box()
        v.page.mouse.click(rail["x"] + rail["width"] * 0.97, rail["y"] + rail["height"] / 2)
        v.page.wait_for_timeout(300)
        after = figure.evaluate("gd => JSON.stringify(gd._fullData.map(t => [t.x, t.y]))")
        assert after != before, f"moving slider {i} on {page} did not change the figure"
        assert figure.locator(".slider-label").first.text_content() != label_before


@pytest.mark.parametrize("page", PAGES)
def test_widgets_render(visit, page):
    v = visit(f"{page}.html")
    views = v.page.locator("script[type='application/vnd.jupyter.widget-view+json']")
    if views.count() == 0:
        pytest.skip(f"{page} has no widgets")
    v.page.wait_for_selector(".jupyter-widgets", timeout=60_000)
    v.page.wait_for_timeout(1000)
    assert "Error displaying widget" not in v.page.content()
    assert v.page.locator(".jupyter-widgets").count() >= views.count()


@pytest.mark.parametrize("page", [p for p in PAGES if "$" in (ROOT / f"{p}.md").read_text()])
def test_equations_typeset_offline(visit, page):
    v = visit(f"{page}.html")
    v.page.wait_for_selector("mjx-container", timeout=60_000)
    assert v.external == []


def test_search_finds_the_theorem(visit):
    v = visit("search.html?q=Neyman")
    v.page.wait_for_selector("#search-results li, .search li", timeout=60_000)
    assert v.page.locator("#search-results li, .search li").count() >= 1
