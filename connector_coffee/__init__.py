# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import components
from . import models
from . import controllers
from . import wizards
from . import job_log
