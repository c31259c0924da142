# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.queue_job.job import identity_exact

from ...components.mapper import format_datetime
from ...entities import BY_RESOURCE, ENTITIES


class CoffeeImport(models.Model):
    """The import of one entity of the machine, for one backend.

    A backend has one per entity of ``entities.py``, made with it. Each
    import asks the machine for what changed since :attr:`since`, minus the
    backend's overlap.
    """

    _name = "coffee.import"
    _description = "Coffee Import"
    _order = "backend_id, sequence, id"

    backend_id = fields.Many2one(
        comodel_name="coffee.backend",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    resource = fields.Selection(
        selection=[(entity.resource, entity.label) for entity in ENTITIES],
        string="Records",
        required=True,
        readonly=True,
    )
    sequence = fields.Integer(readonly=True)
    since = fields.Datetime(
        string="Imported On",
        readonly=True,
        help="The start of the last import that succeeded, every page of it: "
        "the next import asks the machine for what changed since this date, "
        "minus the backend's import overlap.",
    )
    pending_since = fields.Datetime(
        string="Import Started On",
        readonly=True,
        help="The start of the import under way (or failed): once all of its "
        "pages are in, 'Imported On' moves to it.",
    )
    done_at = fields.Datetime(string="Last Success", readonly=True)
    state = fields.Selection(
        selection=[
            ("never", "Not run yet"),
            ("running", "Running"),
            ("failed", "Failed"),
            ("done", "Done"),
        ],
        compute="_compute_state",
    )
    error = fields.Text(
        compute="_compute_state",
        help="Why the import under way failed: the message of its failed job.",
    )
    record_count = fields.Integer(string="In Odoo", compute="_compute_record_count")

    _sql_constraints = [
        (
            "resource_uniq",
            "unique(backend_id, resource)",
            "A backend imports each kind of record once.",
        ),
    ]

    @property
    def _entity(self):
        return BY_RESOURCE[self.resource]

    def _compute_record_count(self):
        """The bindings of each import's entity: one query per entity."""
        for resource, imports in self.grouped("resource").items():
            model = self.env[BY_RESOURCE[resource].model]
            counts = dict(
                model.with_context(active_test=False)._read_group(
                    [("backend_id", "in", imports.backend_id.ids)],
                    ["backend_id"],
                    ["__count"],
                )
            )
            for each in imports:
                each.record_count = counts.get(each.backend_id, 0)

    def _compute_state(self):
        """Running, failed (with the error of its failed job) or done.

        One query for all the imports shown: the failed page jobs of each
        import under way.
        """
        pending = self.filtered("pending_since")
        failures = {}
        if pending:
            jobs = (
                self.env["queue.job"]
                .sudo()
                .search_fetch(
                    [
                        ("coffee_backend_id", "in", pending.backend_id.ids),
                        ("coffee_model", "in", [i._entity.model for i in pending]),
                        ("method_name", "in", ("_import_batch", "_import_page")),
                        ("state", "=", "failed"),
                        ("date_created", ">=", min(pending.mapped("pending_since"))),
                    ],
                    ["coffee_backend_id", "coffee_model", "date_created"]
                    + ["exc_message", "exc_name"],
                    order="date_created desc, id desc",
                )
            )
            for job in jobs:
                key = (job.coffee_backend_id.id, job.coffee_model)
                failures.setdefault(key, []).append(job)
        for each in self:
            failed = [
                job
                for job in failures.get((each.backend_id.id, each._entity.model), [])
                if each.pending_since and job.date_created >= each.pending_since
            ]
            each.error = (
                (failed[0].exc_message or failed[0].exc_name) if failed else False
            )
            if failed:
                each.state = "failed"
            elif each.pending_since:
                each.state = "running"
            else:
                each.state = "done" if each.since else "never"

    @api.model
    def _entity_values(self, backend):
        """Values of the imports ``backend`` lacks, one per entity."""
        have = set(backend.import_ids.mapped("resource"))
        return [
            {"backend_id": backend.id, "resource": entity.resource, "sequence": seq}
            for seq, entity in enumerate(ENTITIES)
            if entity.resource not in have
        ]

    def _job(self):
        """The job importing what changed since the last import.

        :return: the ``Delayable`` of the job, not enqueued yet
        """
        self.ensure_one()
        backend = self.backend_id
        filters = {"per_page": backend.page_size}
        if self.since:
            # a negative overlap would skip what changed just before
            since = self.since - timedelta(seconds=max(backend.import_overlap, 0))
            filters["updated_since"] = format_datetime(since)
        model = self.env[self._entity.model]
        return model.delayable(
            identity_key=identity_exact,
            description=self.env._(
                "%(backend)s: import %(what)s",
                backend=backend.name,
                what=model._description,
            ),
        )._import_batch(backend, filters=filters)

    def _start(self):
        """Note the start of an import (the earliest of those under way)."""
        for each in self:
            each.pending_since = each.pending_since or fields.Datetime.now()

    def _enqueue(self):
        """Enqueue the import of each."""
        for each in self:
            each._start()
            each._job().delay()
        return True

    def _import_done(self):
        """Job: every page of the import is in: the date moves to its start.

        The date never moves back, and an import whose start was taken by an
        earlier one leaves it to that one. The failed import jobs of records
        now in sync are done: their error no longer stands.
        """
        for each in self.filtered("pending_since"):
            each.write(
                {
                    "since": max(filter(None, (each.since, each.pending_since))),
                    "pending_since": False,
                    "done_at": fields.Datetime.now(),
                }
            )
        for each in self:
            self.env[each._entity.model]._coffee_supersede_failed_jobs(each.backend_id)
        return True

    def _job_store_values(self, job):
        """File the job under its backend (queue_job hook)."""
        return {"coffee_backend_id": self.backend_id.id} if len(self) == 1 else {}

    def action_import(self):
        """Button: import what changed on the machine since the last import.

        Coffee managers only.
        """
        self.backend_id._check_manager_access("write")
        self.check_access("write")
        return self._enqueue()

    def action_open_records(self):
        """Button: the records of this import's entity, for its backend."""
        self.ensure_one()
        model = self.env[self._entity.model]
        return {
            "type": "ir.actions.act_window",
            "name": self._entity.label,
            "res_model": model._name,
            "view_mode": "list,form",
            "domain": [("backend_id", "=", self.backend_id.id)],
            "context": {"default_backend_id": self.backend_id.id},
        }
