"""`python -m rslib` (rslib.__main__): the `rslib` command, with its exit status."""

import subprocess
import sys


def test_python_m_rslib_is_the_rslib_command():
    shown = subprocess.run([sys.executable, "-m", "rslib", "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: rslib ")
    assert "{train,certify,analyze}" in shown.stdout


def test_its_exit_status_is_the_command_s():
    missing = subprocess.run([sys.executable, "-m", "rslib", "analyze", "nothing.tsv"], capture_output=True, text=True)
    assert missing.returncode == 2 and "rslib analyze: error: " in missing.stderr and "Traceback" not in missing.stderr
