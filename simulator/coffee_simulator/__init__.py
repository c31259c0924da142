# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A simulated coffee machine serving the REST API v1 over HTTP.

A test and demo dependency of connector_coffee: pure Python, imports
nothing from Odoo nor from the addon. ``from coffee_simulator import
CoffeeSimulator``, or ``python -m coffee_simulator --help``.
"""

__version__ = "18.0.1.0.0"

from .server import API_ROUTES
from .simulator import CoffeeSimulator

__all__ = ["API_ROUTES", "CoffeeSimulator", "__version__"]
