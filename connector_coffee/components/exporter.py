# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exporter: an Odoo binding to the coffee machine.

Built on connector's ``generic.exporter`` (the binding is locked with
``SELECT ... FOR UPDATE NOWAIT``, dependencies are exported first, the mapper
gives the values, the adapter creates or updates the machine record, the
binder stores its id), with one deliberate difference: **no commit**.

connector's exporter commits after each export, outside tests, to keep the
machine id of exported dependencies when a later step fails. queue_job 18
forbids commits in jobs unless the job function allows them, and a commit
there runs the job in a second transaction. Here no export needs it: an
export never creates a dependency on the machine itself. A missing
dependency is exported by a job of its own and the export waits for it
(:meth:`CoffeeExporter._wait_for_dependency`), so every export job stays one
transaction that either happens whole or is retried whole.
"""

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .mapper import parse_datetime

#: seconds an export waits for the export of one of its dependencies
DEPENDENCY_RETRY = 5


class CoffeeExporter(AbstractComponent):
    """Export a binding to the machine, in the job's single transaction."""

    _name = "coffee.exporter"
    _inherit = ["generic.exporter", "base.coffee.connector"]
    _usage = "record.exporter"
    _default_binding_field = "coffee_bind_ids"

    def run(self, binding, *args, **kwargs):
        """Export the binding.

        Connector's flow without its commit (see the module's docstring).

        :param binding: the binding to export
        :return: a message for the job's result
        """
        self.binding = binding
        self.external_id = self.binder.to_external(binding) or None
        result = self._run(*args, **kwargs)
        if self.external_id:
            self.binder.bind(self.external_id, self.binding)
        self._after_export()
        return result

    def _create(self, data):
        """Create the machine record; return its machine id."""
        self._validate_create_data(data)
        record = self.backend_adapter.create(
            data, record=self.binding, **self._create_options()
        )
        self._store_answer(record)
        return record["id"]

    def _create_options(self):
        """Options of the adapter's ``create`` (such as an idempotency key)."""
        return {}

    def _update(self, data):
        """Update the machine record with the changed values."""
        self._validate_update_data(data)
        record = self.backend_adapter.write(self.external_id, data)
        self._store_answer(record)

    def _store_answer(self, record):
        """Keep what the machine answered (its own date of the change)."""
        if isinstance(record, dict) and record.get("updated_at"):
            self.binding.with_context(connector_no_export=True).write(
                {"coffee_updated_at": parse_datetime(record["updated_at"])}
            )

    def _wait_for_dependency(self, binding, message=None):
        """Make sure ``binding`` is on the machine before this export.

        When it is not, its export is enqueued and this job retried a few
        seconds later.

        :param binding: a binding this export refers to
        :param message: what the job says while it waits; default: which
            binding it waits for
        """
        if not binding or binding.coffee_id:
            return
        binding.with_delay(identity_key=identity_exact)._export_record()
        raise RetryableJobError(
            message
            or f"{binding._name} {binding.id} must be exported to the machine "
            "first; its export is enqueued",
            seconds=DEPENDENCY_RETRY,
        )

    def _is_last_try(self):
        """Whether the job running this export will not be retried again.

        queue_job stores how often a job was tried before this run
        (``retry``) and how often it may be (``max_retries``, 0 for no
        limit): a retryable error in the last try fails the job. Outside a
        stored job (a direct call, a test's trapped job), False.
        """
        uuid = self.env.context.get("job_uuid")
        if not uuid:
            return False
        job = self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        return bool(job.max_retries) and job.retry + 1 >= job.max_retries
