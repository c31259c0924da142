# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reconciliation: what the incremental imports cannot see.

An import asks the machine for what changed since the last one: a record
written with an old date, or deleted on the machine, escapes it. The
reconciliation compares, for each entity, the full list of the machine's
ids with the bindings:

- the records Odoo lacks (and those marked to resync) are imported, one job
  per page of ids;
- the bindings of records the machine no longer has are archived (the
  brews, which cannot be archived, are only counted).

It reads the machine's lists page by page keeping only the ids, and the
bindings' ids with one query: sets of integers, bounded for 100,000
records. Each run's counts are kept on the entity's ``coffee.import``.
"""

import logging

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from odoo.addons.queue_job.job import identity_exact

from ...coffee_api.client import MAX_PER_PAGE

_logger = logging.getLogger(__name__)


class CoffeeImport(models.Model):
    _inherit = "coffee.import"

    reconciled_at = fields.Datetime(
        string="Last Reconciliation",
        readonly=True,
        help="When the machine's full list of these records was last "
        "compared with Odoo's.",
    )
    reconcile_missing = fields.Integer(
        string="Missing Imported",
        readonly=True,
        help="Records of the machine that Odoo lacked (or marked to resync) "
        "at the last reconciliation, enqueued for import.",
    )
    reconcile_gone = fields.Integer(
        string="Gone Archived",
        readonly=True,
        help="Records gone from the machine at the last reconciliation: their "
        "bindings were archived (brews, which cannot be, are only counted).",
    )


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    def action_reconcile(self):
        """Button: enqueue a reconciliation of each backend.

        Coffee managers only.

        :return: a notification action
        """
        self._check_manager_access("write")
        self._enqueue_reconcile()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The reconciliation with the machine is enqueued."
                ),
                "sticky": False,
            },
        }

    def _enqueue_reconcile(self):
        for backend in self:
            backend.with_delay(
                identity_key=identity_exact,
                description=self.env._(
                    "%(backend)s: reconcile with the machine", backend=backend.name
                ),
            )._reconcile()
        return True

    @api.model
    def _scheduler_reconcile(self):
        """Cron: reconcile every active backend."""
        backends = self.search([("active", "=", True)])
        _logger.info("coffee reconciliation of %d backends", len(backends))
        backends._enqueue_reconcile()

    def _job_store_values(self, job):
        """File the backend's own jobs of the cockpit under it (queue_job
        hook)."""
        values = super()._job_store_values(job)
        if job.method_name in ("_reconcile", "_choose_defaults") and len(self) == 1:
            values = {**values, "coffee_backend_id": self.id}
        return values

    def _reconcile(self):
        """Job: reconcile every entity of the backend with the machine.

        :return: a message for the job's result
        """
        messages = []
        for backend in self:
            backend._ensure_imports()
            for coffee_import in backend.import_ids:
                missing, gone = backend._reconcile_entity(coffee_import)
                messages.append(
                    f"{coffee_import.resource}: {missing} missing, {gone} gone"
                )
        return "; ".join(messages)

    def _reconcile_entity(self, coffee_import):
        """Reconcile one entity; note the run on its import.

        :return: ``(missing, gone)`` counts
        """
        self.ensure_one()
        model = self.env[coffee_import._entity.model].with_context(active_test=False)
        on_machine = self._machine_ids(model._name)
        model.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT coffee_id, coffee_updated_at IS NULL FROM %s "
                "WHERE backend_id = %s AND coffee_id IS NOT NULL",
                SQL.identifier(model._table),
                self.id,
            )
        )
        bound, to_resync = set(), set()
        while rows := self.env.cr.fetchmany(10000):
            for coffee_id, resync in rows:
                bound.add(coffee_id)
                if resync:
                    to_resync.add(coffee_id)
        missing = sorted((on_machine - bound) | (to_resync & on_machine))
        gone = sorted(bound - on_machine)
        del bound, to_resync, on_machine
        for page in split_every(self.page_size, missing):
            model._coffee_retry_job(self, list(page)).delay()
        archived = 0
        if "active" in model._fields:
            for page in split_every(1000, gone):
                bindings = model.search(
                    [
                        ("backend_id", "=", self.id),
                        ("coffee_id", "in", list(page)),
                        ("active", "=", True),
                    ]
                )
                bindings.with_context(connector_no_export=True).write({"active": False})
                archived += len(bindings)
        coffee_import.write(
            {
                "reconciled_at": fields.Datetime.now(),
                "reconcile_missing": len(missing),
                "reconcile_gone": archived if "active" in model._fields else len(gone),
            }
        )
        return len(missing), len(gone)

    def _machine_ids(self, model_name):
        """The ids of all the machine's records of a model, page by page."""
        ids = set()
        with self.work_on(model_name) as work:
            adapter = work.component(usage="backend.adapter")
            page = 1
            while page:
                data = adapter.search_page(page=page, per_page=MAX_PER_PAGE)
                ids.update(int(item["id"]) for item in data["items"])
                next_page = data.get("next_page")
                page = next_page if next_page and next_page > page else None
        return ids
