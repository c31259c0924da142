# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exceptions of the coffee connector."""

from odoo.exceptions import UserError


class CoffeeSyncError(UserError):
    """A synchronisation failed for a reason that retrying will not cure.

    Bad credentials, data the machine refuses, a teapot: the job fails with
    this message, and a user clicking a button sees it as is. It is an
    expected failure: the job runner logs it in one line, without a
    traceback (see ``job_log.py``).
    """
