"""`python -m bench`: the same as `sagascope bench`."""

import sys

from .cli import main

sys.exit(main())
