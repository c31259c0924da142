# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class QueueJob(models.Model):
    """Jobs filed under the coffee backend and record they synchronise.

    Filled through queue_job's ``_job_store_values`` hook (see
    ``coffee.binding``), so that a backend counts its pending and failed
    jobs, and a binding shows the error of its last failed job, without
    reading job arguments.
    """

    _inherit = "queue.job"

    coffee_backend_id = fields.Many2one(
        comodel_name="coffee.backend",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    coffee_model = fields.Char(
        string="Coffee Binding Model", readonly=True, index="btree_not_null"
    )
    coffee_binding_id = fields.Many2oneReference(
        model_field="coffee_model",
        readonly=True,
        index="btree_not_null",
    )
    coffee_external_id = fields.Integer(
        string="ID on the Machine", readonly=True, index="btree_not_null"
    )

    def _coffee_binding(self):
        """The binding a coffee job synchronises, if it exists (yet)."""
        self.ensure_one()
        if not self.coffee_model:
            return None
        model = self.env[self.coffee_model].with_context(active_test=False)
        if self.coffee_binding_id:
            return model.browse(self.coffee_binding_id).exists()
        if self.coffee_external_id and self.coffee_backend_id:
            return model.search(
                [
                    ("backend_id", "=", self.coffee_backend_id.id),
                    ("coffee_id", "=", self.coffee_external_id),
                ],
                limit=1,
            )
        return None

    def related_action_coffee_binding(self):
        """Related action: open the record the job synchronises."""
        binding = self._coffee_binding()
        if not binding:
            return self.related_action_coffee_backend()
        return {
            "type": "ir.actions.act_window",
            "name": binding._description,
            "res_model": binding._name,
            "res_id": binding.id,
            "view_mode": "form",
        }

    def related_action_coffee_backend(self):
        """Related action: open the backend the job belongs to."""
        if not self.coffee_backend_id:
            return None
        return {
            "type": "ir.actions.act_window",
            "name": self.coffee_backend_id._description,
            "res_model": "coffee.backend",
            "res_id": self.coffee_backend_id.id,
            "view_mode": "form",
        }
