"""Serve the built book with live chapters: `make serve` runs this.

Two servers, both on 127.0.0.1, started and stopped together:
- the book (_build/html) at http://127.0.0.1:PORT/, plus one address of its own, /_live/config.json, that
  tells the pages where the Jupyter server is and its token;
- a Jupyter server (scripts/live_jupyter.py) on another port, which requires that token and accepts browser
  requests only from the book's origin (http://127.0.0.1:PORT, exactly).

Why the token is safe in /_live/config.json: a page can read a response only from its own origin unless the
server opts in with CORS headers, which this one never sends; so only the book's pages (same origin) read
the token, and any other site's script gets an opaque failure. A site that points its own domain name at
127.0.0.1 (DNS rebinding) would be same-origin with itself, not with the book: its requests carry its own name
in the Host header, and the config address answers only to Host 127.0.0.1:PORT. The token is random for
each run and is handed to Jupyter in its environment, never on a command line or in a file.

Stop with Ctrl-C (or SIGTERM): the Jupyter server shuts its kernels down, then both servers exit.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG_PATH = "/_live/config.json"
START_TIMEOUT_S = 120  # jupyter-server starts in a few seconds; allow for a busy machine
STOP_TIMEOUT_S = 20


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Files of the built book, and the live configuration for pages of this origin only."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".md": "text/markdown; charset=utf-8", ".ipynb": "application/json; charset=utf-8",
                      ".js": "text/javascript; charset=utf-8"}

    def end_headers(self):
        # Running code is one click away on these pages: no other site may frame them (clickjacking).
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def do_GET(self):
        if self.path.split("?", 1)[0] == CONFIG_PATH:
            self._send_config()
        else:
            super().do_GET()

    def _send_config(self):
        host = f"127.0.0.1:{self.server.server_address[1]}"
        if self.headers.get("Host") != host:
            status, body = 403, {"error": f"open the book at http://{host}/ to use the live server"}
        else:
            status, body = 200, self.server.live_config
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-"):  # the console shows failed requests only
        if str(getattr(code, "value", code)).startswith(("4", "5")):
            super().log_request(code, size)


class BookServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, html: Path, live_config: dict):
        self.live_config = live_config
        super().__init__(("127.0.0.1", port), functools.partial(BookHandler, directory=str(html)))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jupyter_status(base: str, token: str) -> bool:
    request = urllib.request.Request(base + "api/status", headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_jupyter(root: Path, port: int, origin: str, token: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("RSBOOK_LIVE", "JUPYTER_TOKEN_FILE")}
    env["JUPYTER_TOKEN"] = token
    # RSBOOK_LIVE would switch plotly to Jupyter Lab's renderer, which a book page cannot display.
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("live_jupyter.py")),
         "--root", str(root), "--port", str(port), "--origin", origin],
        env=env, stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches this script only, which then stops Jupyter in order
    )


def stop_jupyter(process: subprocess.Popen, base: str, token: str) -> None:
    """Ask Jupyter to shut down (it stops its kernels first); terminate, then kill, if it does not."""
    if process.poll() is not None:
        return
    request = urllib.request.Request(base + "api/shutdown", method="POST", data=b"",
                                     headers={"Authorization": f"token {token}"})
    try:
        urllib.request.urlopen(request, timeout=5).close()
    except (urllib.error.URLError, OSError):
        pass
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
        try:
            process.wait(timeout=STOP_TIMEOUT_S / 2)
            return
        except subprocess.TimeoutExpired:
            continue


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Serve the built book and a Jupyter server for its Live buttons.")
    parser.add_argument("--port", type=int, default=8000, help="the book's port (0: any free one); default 8000")
    parser.add_argument("--jupyter-port", type=int, default=0, help="Jupyter's port (default: any free one)")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built book")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the book's source root: a page book/x.html runs in ROOT/book, as when the book is built")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").is_file():
        print(f"serve_book.py: no built book in {args.html}; run `make book` first", file=sys.stderr)
        return 2

    token = secrets.token_urlsafe(32)
    jupyter_port = args.jupyter_port or free_port()
    jupyter_base = f"http://127.0.0.1:{jupyter_port}/"
    live_config = {"baseUrl": jupyter_base, "token": token, "kernelName": "python3"}

    # The book's socket is bound first, so that a free port (--port 0) is known before Jupyter starts.
    try:
        book = BookServer(args.port, args.html, live_config)
    except OSError as err:
        print(f"serve_book.py: cannot serve the book on 127.0.0.1:{args.port} ({err}); choose another port "
              "(--port, or SERVE_PORT=... with make serve)", file=sys.stderr)
        return 1
    origin = f"http://127.0.0.1:{book.server_address[1]}"

    jupyter = start_jupyter(args.root.resolve(), jupyter_port, origin, token)
    stopping = threading.Event()
    serving = None

    def stop(signum=None, frame=None):
        stopping.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _jupyter_status(jupyter_base, token):
            if jupyter.poll() is not None or time.monotonic() > deadline or stopping.is_set():
                if not stopping.is_set():
                    print(f"serve_book.py: the Jupyter server did not start on port {jupyter_port}", file=sys.stderr)
                return 1
            time.sleep(0.3)
        serving = threading.Thread(target=book.serve_forever, daemon=True)
        serving.start()
        print(f"Book: {origin}/  (open a chapter and press Live)", flush=True)
        print(f"Jupyter: {jupyter_base} (token required; accepts only {origin})", flush=True)
        print("Stop with Ctrl-C.", flush=True)
        while not stopping.wait(1.0):
            if jupyter.poll() is not None:
                print("serve_book.py: the Jupyter server stopped", file=sys.stderr)
                return 1
        return 0
    finally:
        if serving is not None:
            book.shutdown()
        book.server_close()
        stop_jupyter(jupyter, jupyter_base, token)
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
