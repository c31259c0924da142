# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import coffee_pour_wizard
from . import coffee_setup_wizard
