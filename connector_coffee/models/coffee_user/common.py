# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools.sql import create_index


class CoffeeResPartner(models.Model):
    """A user of a coffee machine: a partner with a badge."""

    _name = "coffee.res.partner"
    _inherit = ["coffee.binding"]
    _inherits = {"res.partner": "odoo_id"}
    _description = "Coffee Machine User"

    odoo_id = fields.Many2one(
        comodel_name="res.partner",
        string="Odoo Partner",
        required=True,
        ondelete="cascade",
        index=True,
    )
    badge = fields.Char(help="Badge the person shows to the machine.")
    drinker = fields.Boolean(
        default=True,
        help="Whether the person may use this machine. A partner who is no "
        "longer a drinker stays bound, deactivated on the machine.",
    )
    export_pending = fields.Boolean(
        string="To Export",
        readonly=True,
        copy=False,
        help="Changed in Odoo: the next export of the backend sends it to the machine.",
    )

    def init(self):
        # the bindings waiting for their export, found by backend
        create_index(
            self.env.cr,
            "coffee_res_partner_export_pending_index",
            self._table,
            ["backend_id", "id"],
            where="export_pending",
        )

    def _mark_for_export(self):
        """Export these bindings with the next batch export of their backend.

        They are marked ``export_pending`` and one job per backend waits to
        export every marked binding (see ``components/batch_exporter.py``).
        """
        bindings = self.filtered("id")
        if not bindings:
            return
        bindings.with_context(connector_no_export=True).write({"export_pending": True})
        for backend in bindings.backend_id:
            self._delay_once(backend, "_export_batch")

    _sql_constraints = [
        (
            "coffee_odoo_uniq",
            "unique(backend_id, odoo_id)",
            "A partner can be bound only once to the same backend.",
        ),
    ]


class ResPartner(models.Model):
    _inherit = "res.partner"

    coffee_bind_ids = fields.One2many(
        comodel_name="coffee.res.partner",
        inverse_name="odoo_id",
        string="Coffee Bindings",
        context={"active_test": False},
    )
    coffee_backend_ids = fields.Many2many(
        comodel_name="coffee.backend",
        string="Coffee Backends",
        compute="_compute_coffee_backend_ids",
        inverse="_inverse_coffee_backend_ids",
        help="The coffee backends whose machines this person drinks from: "
        "they are created as a user on each, and deactivated when removed.",
    )

    coffee_brew_count = fields.Integer(
        string="Coffees",
        compute="_compute_coffee_brew_count",
        groups="base.group_user",
    )

    def _compute_coffee_brew_count(self):
        counts = self.env["coffee.brew"]._counts_by("partner_id", self)
        for partner in self:
            partner.coffee_brew_count = counts.get(partner.id, 0)

    def action_open_coffee_brews(self):
        """Smart button: the person's brews."""
        self.ensure_one()
        self.check_access("read")
        return self.env["coffee.brew"]._action_open(
            [("partner_id", "=", self.id)],
            self.env._("Coffees of %(person)s", person=self.display_name),
        )

    @api.depends("coffee_bind_ids.drinker", "coffee_bind_ids.backend_id")
    def _compute_coffee_backend_ids(self):
        for partner in self:
            drinking = partner.coffee_bind_ids.filtered("drinker")
            partner.coffee_backend_ids = drinking.backend_id

    def _inverse_coffee_backend_ids(self):
        for partner in self:
            wanted = partner.coffee_backend_ids
            for binding in partner.coffee_bind_ids:
                drinker = binding.backend_id in wanted
                if binding.drinker != drinker:
                    binding.drinker = drinker
            new = wanted - partner.coffee_bind_ids.backend_id
            self.env["coffee.res.partner"].create(
                [{"odoo_id": partner.id, "backend_id": b.id} for b in new]
            )
