"""`python -m rslib.cli`: the `rslib` command (torchrun starts it this way)."""

import sys

from rslib.cli import main

sys.exit(main())
