# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CoffeeBinding(models.AbstractModel):
    """Link between an Odoo record and a record of the coffee machine.

    Concrete bindings ``_inherit`` this model. They either stand alone
    (the brew log, the machines) or ``_inherits`` the Odoo record they bind
    (products, partners) through an ``odoo_id`` field.

    The methods below are the jobs of the connector: each one opens the
    backend's work context and hands over to the component of its usage.
    """

    _name = "coffee.binding"
    _inherit = "external.binding"
    _description = "Coffee Machine Binding (abstract)"

    backend_id = fields.Many2one(
        comodel_name="coffee.backend",
        string="Coffee Backend",
        required=True,
        ondelete="restrict",
        index=True,
    )
    coffee_id = fields.Integer(string="ID on the Machine", index=True, copy=False)
    coffee_updated_at = fields.Datetime(
        string="Changed on the Machine",
        readonly=True,
        copy=False,
        help="Last change of the record on the machine, as the machine "
        "reported it at the last import.",
    )
    sync_error = fields.Text(
        compute="_compute_sync_error",
        help="Error of the last synchronisation job of this record, while "
        "that job is failed.",
    )

    _sql_constraints = [
        (
            "coffee_uniq",
            "unique(backend_id, coffee_id)",
            "A binding already exists with the same coffee machine ID "
            "for this backend.",
        ),
    ]

    def _job_keys(self):
        """Keys under which the jobs of these bindings are filed."""
        self.ensure_one()
        keys = [f"{self._name}#{self.id}"]
        if self.coffee_id:
            keys.append(job_key(self._name, self.backend_id.id, self.coffee_id))
        return keys

    def _compute_sync_error(self):
        """The error of each binding's last job, while that job is failed.

        One query for all the bindings shown, not one per binding.
        """
        keys = {binding: binding._job_keys() for binding in self if binding.id}
        last_jobs = {}
        if keys:
            jobs = (
                self.env["queue.job"]
                .sudo()
                .search(
                    [("coffee_record_key", "in", sum(keys.values(), []))],
                    order="date_created desc, id desc",
                )
            )
            for job in jobs:
                last_jobs.setdefault(job.coffee_record_key, job)
        for binding in self:
            candidates = [last_jobs[k] for k in keys.get(binding, []) if k in last_jobs]
            last = max(candidates, key=lambda j: (j.date_created, j.id), default=None)
            binding.sync_error = (
                (last.exc_message or last.exc_name)
                if last and last.state == "failed"
                else False
            )

    def _job_store_values(self, job):
        """File the job under the backend and the record it synchronises.

        Hook of queue_job: values added to the ``queue.job`` it stores.
        """
        values = {}
        backend = job.args[0] if job.args else None
        if getattr(backend, "_name", None) == "coffee.backend":
            values["coffee_backend_id"] = backend.id
            if job.method_name == "import_record" and len(job.args) > 1:
                values["coffee_record_key"] = job_key(
                    self._name, backend.id, job.args[1]
                )
        elif len(self) == 1:
            values["coffee_backend_id"] = self.backend_id.id
            values["coffee_record_key"] = f"{self._name}#{self.id}"
        return values

    @api.model
    def import_batch(self, backend, filters=None):
        """Job: import the first page of records and enqueue the others.

        :param backend: the ``coffee.backend``
        :param filters: ``per_page`` and ``updated_since``
        """
        with backend.work_on(self._name) as work:
            return work.component(usage="batch.importer").run(filters=filters)

    @api.model
    def import_page(self, backend, page, filters=None):
        """Job: import one page of records.

        :param backend: the ``coffee.backend``
        :param page: page number, from 1
        :param filters: ``per_page`` and ``updated_since``
        """
        with backend.work_on(self._name) as work:
            importer = work.component(usage="batch.importer")
            return importer.run_page(page, filters=filters)

    @api.model
    def import_record(self, backend, external_id, force=False):
        """Job: import one record.

        :param backend: the ``coffee.backend``
        :param external_id: the record's id on the machine
        :param force: import even when the binding is up to date
        """
        with backend.work_on(self._name) as work:
            importer = work.component(usage="record.importer")
            return importer.run(external_id, force=force)

    def export_record(self, fields=None):
        """Job: export this binding to the machine.

        :param fields: the changed fields, or None for all of them
        """
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work:
            exporter = work.component(usage="record.exporter")
            return exporter.run(self, fields=fields)


def job_key(model, backend_id, external_id):
    """Key filing the jobs of one machine record, bound or not yet."""
    return f"{model}:{backend_id}:{external_id}"
