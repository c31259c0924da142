# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One line in the log for a coffee job that fails as expected.

queue_job's job runner logs the traceback of every job that fails, from the
``except`` block of ``RunJobController._runjob``. For a job that the machine
refused as it may (bad credentials, a teapot, a machine that stayed in
maintenance past the job's retries), a traceback tells an operator nothing
more than its last line, and hides it among lines of code.

:class:`ExpectedFailureFilter`, installed on that logger when the addon is
loaded, turns the runner's record of such a failure into one WARNING line:
what failed, on which backend and machine, the machine's HTTP status and
what to do. The job itself keeps its full traceback (``exc_info``), and any
other failure, a bug, is logged with its traceback at ERROR as before.

Why a filter: the runner logs from inside its ``except`` block, so the filter
sees the exception being handled (``sys.exc_info()``, same thread) and picks
the expected ones by type, without copying the runner's code; the job's
state, retries and stored failure are untouched. The runner then raises the
failure again, for Odoo's HTTP layer and the job runner to log twice more:
``controllers/runjob.py`` ends such a request normally instead.
"""

import logging
import sys

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from .coffee_api import CoffeeError
from .exception import CoffeeSyncError

#: the logger of queue_job's job runner controller
RUNNER_LOGGER = "odoo.addons.queue_job.controllers.main"


def _causes(exc):
    """The exception and the ones it was raised from, outermost first."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__


def expected_failure(exc):
    """Whether ``exc`` is a coffee job's expected failure.

    A :class:`CoffeeSyncError` (the machine or Odoo refused the data for
    good), or queue_job's "max. retries reached" over a retryable error of
    the machine (unavailable, unreachable, rate limiting).
    """
    if isinstance(exc, CoffeeSyncError):
        return True
    if isinstance(exc, FailedJobError):
        chain = list(_causes(exc))
        return any(isinstance(e, RetryableJobError) for e in chain) and any(
            isinstance(e, CoffeeError) for e in chain
        )
    return False


def one_line(exc):
    """What an operator needs of an expected failure, on one line.

    The message (which names the backend and the record, and ends with what
    to do) and the machine's HTTP status when the message does not say it.
    """
    message = " ".join(str(exc.args[0] if exc.args else exc).split())
    machine_error = next((e for e in _causes(exc) if isinstance(e, CoffeeError)), None)
    if machine_error is not None and machine_error.status:
        status = str(machine_error.status)
        if status not in message:
            message = f"{message} [machine answered HTTP {status}]"
    return message


class ExpectedFailureFilter(logging.Filter):
    """Turns the job runner's traceback of an expected failure into one line."""

    #: marks the filter, so that it is installed once per logger
    coffee_expected_failures = True

    def filter(self, record):
        if record.levelno < logging.ERROR:
            return True
        exc = sys.exc_info()[1]
        if exc is None or not expected_failure(exc):
            return True
        record.msg = "coffee job failed (expected, no traceback): %s"
        record.args = (one_line(exc),)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True


def install():
    """Install the filter on the job runner's logger, once."""
    logger = logging.getLogger(RUNNER_LOGGER)
    if not any(getattr(f, "coffee_expected_failures", False) for f in logger.filters):
        logger.addFilter(ExpectedFailureFilter())


install()
