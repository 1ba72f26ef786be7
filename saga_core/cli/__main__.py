"""`python -m saga_core.cli`: the engine's commands without the web layer's."""

import sys

from .main import main

sys.exit(main())
