# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tier A: tests that need no Odoo.

The addon's pure-Python REST package imports as ``coffee_api`` without
importing Odoo: ``tests/pytest.ini`` puts the addon folder on the path
(``pythonpath``). The simulator is the installed ``coffee_simulator``.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """Override pytest-odoo's fixture of that name: tier A needs no Odoo.

    Where pytest-odoo is installed, its session autouse ``load_registry``
    would load an Odoo registry (and fail without a database).
    """
    yield
