"""`python -m rslib`: the `rslib` command line."""

import sys

from rslib.cli import main

sys.exit(main())
