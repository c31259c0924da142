# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import common
from . import imports
from . import alerts
from . import location
from . import pour
from . import secrets
from . import watchdog
from . import webhook
from . import health
from . import reconcile
from . import setup
from . import systray
