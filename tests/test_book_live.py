"""Live pages: `make serve` (scripts/serve_book.py) serves the built book and a Jupyter server, and a chapter's
Live button runs the chapter in a kernel there, so that its ipywidgets recompute with rslib.

Needs the built book (`make test` builds it first; or `make book`). Starts serve_book.py itself, exactly as the
Makefile does but on free ports, and stops it (its Jupyter server and kernels with it) even when a test fails.
Chromium is the session's `book_browser` (conftest.py); every request a page makes off 127.0.0.1 is aborted.

The chapter test runs every cell of chapter 1 in a kernel on this machine (on its CPU here: about 2.5 minutes
on a shared 2-core machine, most of it certifying the chapter's 180 test images), so its time limits are
generous.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SERVE = ROOT / "scripts" / "serve_book.py"
CHAPTER = "book/01_neyman_pearson"  # has the certify explorer
EXPLORER_CALL = "figures.certify_explorer"  # how its cell calls it
START_TIMEOUT_S = 180  # serve_book.py until both servers answer
KERNEL_TIMEOUT_S = 120  # a kernel process to appear
LIVE_TIMEOUT_S = 1200  # Live pressed until every cell of the chapter has run (CPU, shared machine)
CERTIFY_TIMEOUT_S = 300  # one certification at N = 100 after a control moved
STOP_TIMEOUT_S = 90  # SIGTERM until serve_book.py has stopped Jupyter and exited


# ---------------------------------------------------------------- the servers


def _proc_cmdlines() -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
    return found


def kernel_pids(kernel_ids) -> dict[str, int]:
    """Processes of the given Jupyter kernels (their command line names the kernel's connection file)."""
    pids = {}
    for pid, cmdline in _proc_cmdlines().items():
        for kid in kernel_ids:
            if f"kernel-{kid}.json" in cmdline:
                pids[kid] = pid
    return pids


def listening_addresses(port: int) -> list[str]:
    """Local addresses with a listening TCP socket on `port` (IPv4 and IPv6), from /proc/net."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.append(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    found.append(f"ipv6:{address}")
    return found


class LiveServer:
    """scripts/serve_book.py on free ports, as `make serve` runs it; `stop()` ends it as Ctrl-C would."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(SERVE), "--port", "0"],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # its own process group: a last-resort kill cannot reach pytest
        self.output: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.book = self._wait_for(r"^Book: (http://127\.0\.0\.1:\d+)/")
        self.jupyter = self._wait_for(r"^Jupyter: (http://127\.0\.0\.1:\d+/)")
        self.book_port = urlsplit(self.book).port
        self.jupyter_port = urlsplit(self.jupyter).port

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def _wait_for(self, pattern: str) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            match = re.search(pattern, line)
            if match:
                return match.group(1)
        raise AssertionError(f"serve_book.py did not print {pattern!r}; its output:\n{''.join(self.output)}")

    def config(self, host: str | None = None) -> tuple[int, dict, dict]:
        """(status, headers, body) of /_live/config.json, asked with the given Host header."""
        request = urllib.request.Request(f"{self.book}/_live/config.json")
        if host:
            request.add_header("Host", host)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), json.loads(err.read() or b"{}")

    def jupyter_request(
        self,
        path: str,
        *,
        token: str | None = None,
        origin: str | None = None,
        method: str = "GET",
        body: dict | None = None,
    ) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(
            self.jupyter + path, method=method, data=None if body is None else json.dumps(body).encode()
        )
        if token:
            request.add_header("Authorization", f"token {token}")
        if origin:
            request.add_header("Origin", origin)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def stop(self) -> int | None:
        """SIGTERM, as Ctrl-C; returns the exit status, or None when it had to be killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
        else:
            return self.process.returncode
        self.kill()
        return None

    def kill(self):
        """Last resort: this server's processes by id (its group, and its Jupyter found by its port)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        port = getattr(self, "jupyter_port", None)
        for pid, cmdline in _proc_cmdlines().items():
            if port and "live_jupyter.py" in cmdline and f"--port {port} " in cmdline:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def built_book() -> Path:
    if not (HTML / f"{CHAPTER}.html").is_file():
        pytest.fail(f"no built book in {HTML}: run `make book` first (`make test` does)", pytrace=False)
    return HTML


@pytest.fixture(scope="module")
def live_server(built_book):
    server = LiveServer()
    try:
        yield server
    finally:
        if server.stop() is None:
            server.kill()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def static_server(built_book):
    """The built book served as plain files (no live server): what `make book` alone gives a reader."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(built_book))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Tab:
    """A page in a fresh browser context that records what it tried to fetch off 127.0.0.1 and its errors."""

    def __init__(self, browser, url: str):
        self.external: list[str] = []
        self.page_errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        self.page.goto(url, wait_until="load")

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def status(self) -> tuple[str, str]:
        status = self.page.locator(".rsbook-live-status")
        return status.get_attribute("class") or "", status.inner_text()

    def close(self):
        self.context.close()


def book_files() -> dict[str, tuple[int, int]]:
    """Every file under book/ (the chapters' sources) with its size and modification time."""
    return {
        str(p.relative_to(ROOT)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted((ROOT / "book").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


# ---------------------------------------------------------------- security of the two servers


def test_both_servers_listen_on_127_0_0_1_only(live_server):
    for name, port in (("book", live_server.book_port), ("Jupyter", live_server.jupyter_port)):
        addresses = listening_addresses(port)
        assert addresses and set(addresses) == {"127.0.0.1"}, f"{name} server on port {port} listens on {addresses}"


def test_token_is_given_to_the_book_origin_only(live_server):
    status, headers, body = live_server.config()
    assert status == 200 and len(body["token"]) >= 32 and body["baseUrl"] == live_server.jupyter
    assert headers.get("Cache-Control") == "no-store"
    assert not any(h.lower().startswith("access-control-") for h in headers), f"CORS headers on the token: {headers}"
    # A site that resolves its own name to 127.0.0.1 (DNS rebinding) sends that name as Host: no token for it.
    status, _, body = live_server.config(host=f"attacker.example:{live_server.book_port}")
    assert status == 403 and "token" not in body
    status, _, body = live_server.config(host=f"localhost:{live_server.book_port}")
    assert status == 403 and "127.0.0.1" in body["error"]


def test_jupyter_requires_the_token_and_the_book_origin(live_server):
    token = live_server.config()[2]["token"]
    book_origin = live_server.book
    assert live_server.jupyter_request("api/kernels")[0] == 403, "no token, yet Jupyter answered"
    assert live_server.jupyter_request("api/kernels", token="not-the-token")[0] == 403
    status, headers, _ = live_server.jupyter_request("api/kernels", token=token, origin=book_origin)
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == book_origin
    # Another origin is refused even with the token (jupyter-server alone would let the token through).
    for origin in ("http://attacker.example", f"http://localhost:{live_server.book_port}", "null"):
        status, headers, _ = live_server.jupyter_request("api/kernels", token=token, origin=origin)
        assert status in (403, 404), f"Jupyter answered {status} to origin {origin}"
        assert headers.get("Access-Control-Allow-Origin") in (None, book_origin)


def test_jupyter_cannot_write_into_the_book(live_server):
    token = live_server.config()[2]["token"]
    target = ROOT / "book" / "written-by-the-live-server.ipynb"
    status, _, _ = live_server.jupyter_request(
        "api/contents/book/written-by-the-live-server.ipynb",
        token=token,
        method="PUT",
        body={
            "type": "notebook",
            "format": "json",
            "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
        },
    )
    assert status == 403 and not target.exists()
    status, _, _ = live_server.jupyter_request("api/contents/book/01_neyman_pearson.md", token=token, method="DELETE")
    assert status == 403 and (ROOT / "book" / "01_neyman_pearson.md").is_file()


# ---------------------------------------------------------------- the Live button


def test_live_button_without_a_server_says_how_to_start_one(book_browser, static_server):
    tab = Tab(book_browser, f"{static_server}/{CHAPTER}.html")
    try:
        button = tab.page.locator(".rsbook-live-button")
        assert button.count() == 1 and button.is_visible() and button.inner_text().strip() == "Live"
        button.click()
        tab.page.wait_for_selector(".rsbook-live-status.rsbook-live-offline", timeout=30_000)
        kind, text = tab.status()
        assert "make serve" in tab.page.locator(".rsbook-live-status code").first.inner_text()
        assert "make serve" in text and f"http://127.0.0.1:8000/{CHAPTER}.html" in text, text
        assert button.is_enabled(), "after saying how to start the server, the button should work again"
        labels = tab.page.locator(".rsbook-frozen-widget")
        assert labels.count() and all("Frozen in this page" in t for t in labels.all_inner_texts())
        assert not tab.external and not tab.page_errors, (tab.external, tab.page_errors)
    finally:
        tab.close()


def test_every_page_with_code_has_a_live_button(book_browser, static_server, built_book):
    """Chapters (pages with code cells) have one Live button; pages without code (references, notation) none."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wrong = {}
    tab = Tab(book_browser, f"{static_server}/index.html")
    try:
        for page in sorted((built_book / "book").glob("*.html")):
            name = page.relative_to(built_book).with_suffix("").as_posix()
            has_code = 'class="cell docutils container' in page.read_text(encoding="utf-8")
            tab.page.goto(f"{static_server}/{name}.html", wait_until="domcontentloaded")  # the button mounts then
            if has_code:  # the script that mounts it may run just after the event on a busy machine: wait for it
                with contextlib.suppress(PlaywrightTimeout):
                    tab.page.wait_for_selector(".rsbook-live-button", state="attached", timeout=15_000)
            buttons = tab.page.locator(".rsbook-live-button").count()
            if buttons != int(has_code):
                wrong[name] = f"{buttons} Live buttons, {'has' if has_code else 'no'} code cells"
    finally:
        tab.close()
    assert not wrong, wrong


def test_live_chapter_certifies_again_when_a_control_moves(book_browser, live_server):
    """Press Live on chapter 1, let every cell run, then change the certify explorer's N and press Certify:
    the kernel certifies again (with rslib) and the new certificate replaces the old one on the page."""
    before = book_files()
    tab = Tab(book_browser, f"{live_server.book}/{CHAPTER}.html")
    page = tab.page
    try:
        cell = page.locator("article div.cell").filter(has=page.locator(".cell_input", has_text=EXPLORER_CALL))
        assert cell.count() == 1, f"one cell of {CHAPTER} should call {EXPLORER_CALL}"
        frozen = cell.locator(":scope > .cell_output")
        assert "Frozen in this page" in frozen.inner_text()

        page.locator(".rsbook-live-button").click()
        page.wait_for_selector(".rsbook-frozen-widget.rsbook-going-live", timeout=30_000)
        page.wait_for_selector(
            ".rsbook-live-status.rsbook-live-live, .rsbook-live-status.rsbook-live-failed,"
            " .rsbook-live-status.rsbook-live-offline",
            timeout=LIVE_TIMEOUT_S * 1000,
        )
        kind, text = tab.status()
        assert "rsbook-live-live" in kind, f"the chapter did not go live: {text}"
        assert page.locator(".rsbook-live-button").get_attribute("data-state") == "live"

        live = cell.locator(".rsbook-live-output")
        assert frozen.is_hidden() and live.is_visible()
        assert page.locator(".rsbook-frozen-widget:visible").count() == 0, "a frozen-widget label is still shown"
        result = live.locator(".widget-html-content").first
        first = result.inner_text()
        assert "N = 1,000 samples" in first, f"the live explorer's first certificate: {first!r}"

        samples = live.locator(".widget-dropdown").filter(has=page.locator("label", has_text=re.compile(r"^N$")))
        samples.locator("select").select_option(label="100")
        live.get_by_role("button", name="Certify").click()
        page.wait_for_function(
            "([el, old]) => el.innerText !== old && el.innerText.includes('N = 100 samples')",
            arg=[result.element_handle(), first],
            timeout=CERTIFY_TIMEOUT_S * 1000,
        )
        second = result.inner_text()
        assert re.search(r"lower bound p_?A = \d\.\d{4} from N = 100 samples", second), second
        assert "certified radius" in second or "abstains" in second, second

        assert not tab.external, f"requests off 127.0.0.1: {tab.external}"
        assert not tab.page_errors, f"page errors: {tab.page_errors}"
    finally:
        tab.close()
    assert book_files() == before, "running the chapter live changed files under book/"


# ---------------------------------------------------------------- stopping


def test_stopping_the_server_stops_jupyter_and_its_kernels(built_book):
    server = LiveServer()
    try:
        token = server.config()[2]["token"]
        status, _, body = server.jupyter_request(
            "api/sessions",
            token=token,
            method="POST",
            body={"path": f"{CHAPTER}.ipynb", "name": "x.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
        )
        assert status == 201, body
        kernel = json.loads(body)["kernel"]["id"]
        deadline = time.monotonic() + KERNEL_TIMEOUT_S
        while kernel not in kernel_pids([kernel]) and time.monotonic() < deadline:
            time.sleep(0.5)
        pid = kernel_pids([kernel]).get(kernel)
        assert pid, "the session's kernel process did not appear"
        # The kernel runs in the chapter's folder, as when the book is built: its relative paths work.
        assert Path(f"/proc/{pid}/cwd").resolve() == (ROOT / "book").resolve()

        assert server.stop() == 0, f"serve_book.py did not stop cleanly:\n{''.join(server.output)}"
        deadline = time.monotonic() + 30
        while kernel_pids([kernel]) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not kernel_pids([kernel]), "the kernel outlived the server"
        assert not listening_addresses(server.jupyter_port) and not listening_addresses(server.book_port)
    finally:
        if server.process.poll() is None:
            server.kill()
