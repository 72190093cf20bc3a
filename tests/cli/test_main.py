"""`python -m rslib.cli` (rslib.cli.__main__), the form torchrun starts: the `rslib` command with its exit status."""

import subprocess
import sys


def test_python_m_rslib_cli_is_the_rslib_command():
    shown = subprocess.run([sys.executable, "-m", "rslib.cli", "train", "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: rslib train ")
    missing = subprocess.run([sys.executable, "-m", "rslib.cli"], capture_output=True, text=True)
    assert missing.returncode == 2 and "the following arguments are required: command" in missing.stderr
