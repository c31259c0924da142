# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pouring: a brew asked for in Odoo is ordered from the machine.

The order is a POST /brews carrying the brew's idempotency key: a retried
job, or the same job run twice, gets the same brew back from the machine and
never a second coffee. Once the machine knows the brew, it is never ordered
again; its state then follows the machine (imports and webhooks, or a
follow-up import of the brew when no webhook secret is set).

The order's job speaks plain words: when the machine refuses or cannot pour,
the job's message says why as a person would (the machine is in
maintenance, is a teapot, the beverage is no longer served), and what to do;
the machine's own answer stays in the job's traceback. A refusal for good,
or an unavailable machine at the job's last try, fails the job with that
message, and the brew with it (``coffee.brew._on_pour_failed``).
"""

import re

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping
from odoo.addons.queue_job.exception import RetryableJobError

from ...coffee_api import errors
from ...exception import CoffeeSyncError
from .common import FOLLOW_UP_DELAYS, PENDING_STATES

#: states of a machine that cannot pour, as the API names them
UNAVAILABLE_STATES = ("maintenance", "error", "offline")


class CoffeeBrewExportMapper(Component):
    _name = "coffee.brew.export.mapper"
    _inherit = "coffee.export.mapper"
    _apply_on = "coffee.brew"

    @mapping
    def order(self, record):
        return {
            "machine_id": record.machine_id.coffee_id,
            "beverage_id": record._beverage_binding().coffee_id,
            "user_id": record._user_binding().coffee_id or None,
        }


class CoffeeBrewExporter(Component):
    _name = "coffee.brew.exporter"
    _inherit = "coffee.exporter"
    _apply_on = "coffee.brew"

    def _has_to_skip(self):
        """A brew the machine knows is never ordered again."""
        return bool(self.external_id)

    def _export_dependencies(self):
        brew = self.binding
        if not brew.machine_id.coffee_id:
            raise CoffeeSyncError(
                self.env._("The brew has no machine to pour it: choose one.")
            )
        if not brew._beverage_binding().coffee_id:
            raise CoffeeSyncError(
                self.env._(
                    "%(beverage)s is not a beverage of %(backend)s: choose another "
                    "beverage.",
                    beverage=brew.beverage_id.display_name,
                    backend=self.backend_record.name,
                )
            )
        user = brew._user_binding()
        if user and not user.coffee_id and self._is_last_try():
            raise CoffeeSyncError(
                self.env._(
                    "%(person)s could not be registered on the machine: %(error)s",
                    person=brew.partner_id.display_name,
                    error=user.sync_error or self.env._("no answer yet"),
                )
            )
        self._wait_for_dependency(
            user,
            message=self.env._(
                "%(person)s is being registered on the machine.",
                person=brew.partner_id.display_name,
            ),
        )

    def _create_options(self):
        return {"idempotency_key": self.binding.idempotency_key}

    def _create(self, data):
        """Order the brew; say in plain words why the machine did not pour.

        A retryable refusal is retried with a plain message, unless this is
        the job's last try: then the job fails with it, as for a refusal
        for good.
        """
        try:
            external_id = super()._create(data)
        except RetryableJobError as err:
            reason = self._plain_reason(err)
            if self._is_last_try():
                raise CoffeeSyncError(self.binding._gave_up_reason(reason)) from err
            raise RetryableJobError(reason, seconds=err.seconds) from err
        except CoffeeSyncError as err:
            raise CoffeeSyncError(self._plain_reason(err)) from err
        self._ordered = True
        return external_id

    def _plain_reason(self, err):
        """Why the machine did not pour, as a person would say it.

        :param err: the adapter's error, raised from the client's
            :class:`~...coffee_api.errors.CoffeeError`
        """
        cause = err.__cause__
        brew = self.binding
        names = {
            "machine": brew.machine_id.display_name,
            "backend": self.backend_record.name,
            "beverage": brew.beverage_id.display_name,
            "person": brew.partner_id.display_name or "-",
        }
        if isinstance(cause, errors.CoffeeTeapotError):
            return self.env._(
                "%(machine)s is a teapot: it cannot brew coffee. Choose another "
                "machine.",
                **names,
            )
        if isinstance(cause, errors.CoffeeMachineBusyError):
            state = self._unavailable_state(cause)
            if state == "maintenance":
                return self.env._("%(machine)s is in maintenance.", **names)
            if state == "error":
                return self.env._("%(machine)s reports an error.", **names)
            if state == "offline":
                return self.env._("%(machine)s is offline.", **names)
            if state == "brewing":
                return self.env._(
                    "%(machine)s is busy brewing another coffee.", **names
                )
            return self.env._("%(machine)s is unavailable.", **names)
        if isinstance(cause, errors.CoffeeRateLimitError):
            return self.env._(
                "%(backend)s asks to slow down: too many requests.", **names
            )
        if isinstance(cause, (errors.CoffeeTimeoutError, errors.CoffeeConnectionError)):
            return self.env._("%(backend)s cannot be reached.", **names)
        if isinstance(cause, errors.CoffeeRetryableError):
            return self.env._("%(backend)s had an internal error.", **names)
        if isinstance(cause, errors.CoffeeAuthError):
            return self.env._(
                "%(backend)s refuses the connector's credentials: a coffee "
                "manager must check them on the backend.",
                **names,
            )
        if isinstance(cause, errors.CoffeeValidationError):
            fields = cause.errors or {}
            if "beverage_id" in fields:
                return self.env._(
                    "%(beverage)s is no longer served by %(machine)s: choose "
                    "another beverage.",
                    **names,
                )
            if "user_id" in fields:
                return self.env._(
                    "%(person)s may no longer use %(machine)s: a coffee manager "
                    "can enable them on the contact's Coffee tab.",
                    **names,
                )
            if "machine_id" in fields:
                return self.env._("%(machine)s is unknown to %(backend)s.", **names)
        return self.env._(
            "The machine refused the order: %(error)s", error=cause or err, **names
        )

    def _unavailable_state(self, cause):
        """The state in which a 503 answer says the machine is.

        Busy when the machine says so; else the state its message names;
        else the one Odoo knows.
        """
        if cause.code == "machine_busy":
            return "brewing"
        found = re.search(rf"\b({'|'.join(UNAVAILABLE_STATES)})\b", str(cause))
        if found:
            return found.group(1)
        state = self.binding.machine_id.state
        return state if state in UNAVAILABLE_STATES else None

    def _store_answer(self, record):
        result = super()._store_answer(record)
        if record.get("state"):
            self.binding.with_context(connector_no_export=True).write(
                {"state": record["state"]}
            )
        return result

    def _after_export(self):
        """Follow a brew just poured until it is finished, unless a webhook
        tells Odoo: a follow-up import of it a little later."""
        result = super()._after_export()
        brew = self.binding
        if (
            getattr(self, "_ordered", False)
            and brew.coffee_id
            and brew.state in PENDING_STATES
            and FOLLOW_UP_DELAYS
            and not self.backend_record.sudo().webhook_secret
        ):
            brew._delay_follow_up()
        return result
