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
        help="The next import asks the machine for what changed since this "
        "date, minus the backend's import overlap.",
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
        ).import_batch(backend, filters=filters)

    def _enqueue(self):
        """Enqueue the import of each; the date moves once it is enqueued."""
        for each in self:
            started = fields.Datetime.now()
            each._job().delay()
            each.since = started
        return True

    def action_import(self):
        """Button: import what changed on the machine since the last import."""
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
