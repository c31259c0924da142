# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Base component of the coffee connector.

Every component of the connector inherits from ``base.coffee.connector``,
which puts it in the collection ``coffee.backend``: a component is then
found by its usage and model for a given backend record, and a module that
extends the connector can swap any of them by inheritance.
"""

from odoo.addons.component.core import AbstractComponent


class BaseCoffeeConnectorComponent(AbstractComponent):
    """Root of the coffee connector's components."""

    _name = "base.coffee.connector"
    _inherit = "base.connector"
    _collection = "coffee.backend"
