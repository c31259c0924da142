# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tier A: tests that need no Odoo.

The addon folder is put on ``sys.path`` so that its pure-Python REST package
imports as ``coffee_api`` without importing Odoo.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = ROOT / "connector_coffee"

if str(ADDON_DIR) not in sys.path:
    sys.path.insert(0, str(ADDON_DIR))
