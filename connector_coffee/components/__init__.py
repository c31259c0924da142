# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import core
from . import backend_adapter
from . import binder
from . import mapper
from . import importer
from . import event_importer
from . import exporter
from . import batch_exporter
from . import listener
