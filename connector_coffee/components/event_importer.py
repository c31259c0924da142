# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Event importer: the records a burst of webhook events names, by pages.

The webhook receiver stores each event, pending, and makes sure that one job
of the backend and entity waits to import them
(:meth:`~..models.coffee_binding.common.CoffeeBinding._delay_once`): a
burst of a thousand events is one job, not a thousand. When it runs, the
job takes the oldest pending events, as many as the backend's records per
job (at least a page), reads their records with one request a page
(``GET /<resource>?ids=...``, each id once however many events name it) and
imports them as the pages of the batch import are, records refused by Odoo
going to jobs of their own. The events are marked imported in the same
transaction: when the job fails, they wait for its retry. While events are
still pending, the job enqueues the next one.
"""

from odoo.tools import split_every

from odoo.addons.component.core import Component

from ..entities import BINDING_MODELS, BY_MODEL


class CoffeeEventImporter(Component):
    """Import the records of a page of pending webhook events."""

    _name = "coffee.event.importer"
    _inherit = ["base.importer", "base.coffee.connector"]
    _usage = "event.importer"
    _apply_on = BINDING_MODELS

    @property
    def _event_types(self):
        """The webhook events of the entity worked on."""
        return BY_MODEL[self.model._name].events

    def run(self):
        """Import the records of the oldest pending events, as many as the
        backend's records per job, at least a page of them.

        :return: a message for the job's result
        """
        backend = self.backend_record
        events = self.env["coffee.webhook.event"]
        taken = events._take_pending(
            backend, self._event_types, max(backend.page_size, backend.job_size)
        )
        if not taken:
            return "no pending event"
        external_ids = sorted({external_id for __, external_id in taken})
        records = []
        for page in split_every(backend.page_size, external_ids, list):
            records += self.backend_adapter.read_many(page)
        importer = self.component(usage="record.importer")
        result = importer.import_records(records, force=True)
        self.model._coffee_supersede_failed_jobs(
            self.backend_record, [record["id"] for record in records]
        )
        events._imported([row_id for row_id, __ in taken])
        missing = len(external_ids) - len(records)
        more = events._has_pending(self.backend_record, self._event_types)
        if more:
            self.model._delay_once(self.backend_record, "_import_events")
        return (
            f"{len(taken)} events, {len(external_ids)} records: {result}"
            + (f"; {missing} gone from the machine" if missing else "")
            + ("; more events wait for the next job" if more else "")
        )
