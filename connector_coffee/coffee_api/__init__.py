# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure Python client of the coffee machine REST API v1.

Imports nothing from Odoo. The simulator of the machine is a package of its
own (``coffee_simulator``, in the repository's ``simulator/`` folder).
"""

__version__ = "18.0.1.0.0"

from .errors import (
    CoffeeAuthError,
    CoffeeBadRequestError,
    CoffeeConfigurationError,
    CoffeeConflictError,
    CoffeeConnectionError,
    CoffeeError,
    CoffeeMachineBusyError,
    CoffeeNotFoundError,
    CoffeePermanentError,
    CoffeeProtocolError,
    CoffeeRateLimitError,
    CoffeeRetryableError,
    CoffeeServerError,
    CoffeeTeapotError,
    CoffeeTimeoutError,
    CoffeeValidationError,
    error_from_response,
)
from .signature import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE,
    sign,
    signature_problem,
    verify_signature,
)
from .client import RESOURCES, CoffeeClient
from .sessions import close_shared_sessions, shared_session
