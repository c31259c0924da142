# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_alerts
from . import test_backend
from . import test_cockpit
from . import test_cockpit_setup
from . import test_cockpit_tour
from . import test_export
from . import test_i18n
from . import test_import
from . import test_machines_tour
from . import test_notify
from . import test_pour
from . import test_pour_outcome
from . import test_reliability_concurrency
from . import test_reliability_config
from . import test_reliability_edges
from . import test_reliability_faults
from . import test_reliability_outage
from . import test_reliability_secrets
from . import test_security
from . import test_setup_tour
from . import test_systray
from . import test_tour
from . import test_ui_feedback
from . import test_watchdog
from . import test_webhook
from . import test_webhook_target
