# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import coffee_backend
from . import coffee_binding
from . import coffee_machine
from . import coffee_beverage
from . import coffee_user
from . import coffee_brew
from . import queue_job
from . import res_users
