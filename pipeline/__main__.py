"""``python -m pipeline``: the same command line as ``osce-stance``."""

import sys

from .cli import main

sys.exit(main())
