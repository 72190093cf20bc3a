"""The Jupyter server behind the book's Live buttons; `scripts/serve_book.py` starts it, not the reader.

It is jupyter-server with the settings that make it safe to leave running while browsing:
- it listens on 127.0.0.1 only and requires the token given in the environment (JUPYTER_TOKEN, so that the
  token never shows in `ps`);
- it accepts browser requests only from the book's own origin (`--origin`, exactly one): jupyter-server
  normally skips its origin check for token-authenticated requests, so a page from another origin that
  somehow held the token could still open a kernel's websocket; `BookOriginOnly` always checks;
- its files are read-only (`ReadOnlyContents`): a kernel starts in the folder of the chapter it runs (the
  session's path), but nothing saves notebooks or checkpoints into the book through the server;
- no server extensions (Jupyter Lab, Voila, jupytext, terminals, ...) load: the book needs only the
  kernels, sessions and status APIs;
- kernels that no page has been connected to for a while are shut down (a reader who leaves a live page
  leaves its kernel behind).

Usage: live_jupyter.py --root DIR --port N --origin http://127.0.0.1:M   (JUPYTER_TOKEN set)
"""
from __future__ import annotations

import argparse
import os
import sys

from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.serverapp import ServerApp
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web

IDLE_KERNEL_SECONDS = 300  # a kernel with no page connected for this long is shut down


class ReadOnlyContents(AsyncLargeFileManager):
    """The book's files, readable through the server but never written, renamed or deleted by it."""

    def _refuse(self, path):
        raise web.HTTPError(403, f"the live book's server is read-only (refused a change to {path!r})")

    async def save(self, model, path=""):
        self._refuse(path)

    async def delete_file(self, path):
        self._refuse(path)

    async def rename_file(self, old_path, new_path):
        self._refuse(old_path)

    async def create_checkpoint(self, path=""):
        self._refuse(path)

    async def restore_checkpoint(self, checkpoint_id, path=""):
        self._refuse(path)


class BookOriginOnly(PasswordIdentityProvider):
    """Token login (no password) whose origin check also applies to token-authenticated requests."""

    def should_check_origin(self, handler) -> bool:
        return True


class LiveServerApp(ServerApp):
    """jupyter-server without the extensions found in the environment's config (Lab, Voila, ...)."""

    def find_server_extensions(self) -> None:
        self.jpserver_extensions = {}


def server_argv(root: str, port: int, origin: str) -> list[str]:
    """Command-line settings: they take precedence over any jupyter_server_config file found on disk."""
    me = __name__ if __name__ != "__main__" else "live_jupyter"
    argv = [
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",        # another port would not match what serve_book.py tells the pages
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.allow_origin={origin}",
        "--ServerApp.allow_origin_pat=",
        "--ServerApp.allow_credentials=False",
        "--ServerApp.allow_remote_access=False",
        "--ServerApp.disable_check_xsrf=False",
        "--ServerApp.open_browser=False",
        "--ServerApp.terminals_enabled=False",
        "--ServerApp.password_required=False",
        f"--ServerApp.contents_manager_class={me}.ReadOnlyContents",
        f"--ServerApp.identity_provider_class={me}.BookOriginOnly",
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
        "--ServerApp.log_level=WARN",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--ServerApp.allow_root=True")
    return argv


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="folder the kernels' paths are relative to (the book's source root)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--origin", required=True, help="the one browser origin allowed (the book server's)")
    args = parser.parse_args(argv)
    if not os.environ.get("JUPYTER_TOKEN"):
        sys.exit("live_jupyter.py: set JUPYTER_TOKEN (serve_book.py does); a server without a token is refused")
    if args.origin.strip() in ("", "*") or args.origin.endswith("/"):
        sys.exit(f"live_jupyter.py: --origin must be one origin like http://127.0.0.1:8000, got {args.origin!r}")
    LiveServerApp.launch_instance(server_argv(os.path.abspath(args.root), args.port, args.origin))


if __name__ == "__main__":
    main()
