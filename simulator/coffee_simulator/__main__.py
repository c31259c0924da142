# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``python -m coffee_simulator``: serve a simulated coffee machine."""

import sys

from .cli import main

sys.exit(main())
