# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tier A: tests that need no Odoo.

The addon folder is put on ``sys.path`` so that its pure-Python REST package
imports as ``coffee_api`` without importing Odoo.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = ROOT / "connector_coffee"

if str(ADDON_DIR) not in sys.path:
    sys.path.insert(0, str(ADDON_DIR))


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """Override pytest-odoo's fixture of that name: tier A needs no Odoo.

    Where pytest-odoo is installed, its session autouse ``load_registry``
    would load an Odoo registry (and fail without a database).
    """
    yield
