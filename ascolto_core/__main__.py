"""``python -m ascolto_core``: see :mod:`ascolto_core.cli`."""

from __future__ import annotations

import sys

from ascolto_core.cli import main

sys.exit(main())
