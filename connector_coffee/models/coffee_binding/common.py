# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

#: the states of a job that has not started yet, as queue_job's identity
#: keys see them
WAITING_JOB_STATES = ("wait_dependencies", "pending", "enqueued")


class CoffeeBinding(models.AbstractModel):
    """Link between an Odoo record and a record of the coffee machine.

    Concrete bindings ``_inherit`` this model. They either stand alone
    (the brew log, the machines) or ``_inherits`` the Odoo record they bind
    (products, partners) through an ``odoo_id`` field.

    The methods below are the jobs of the connector: each one opens the
    backend's work context and hands over to the component of its usage.
    They are private: jobs, crons and the webhook call them, never a user
    over RPC.
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

    def _compute_sync_error(self):
        """The error of each binding's last job, while that job is failed.

        One query for all the bindings shown, not one per binding: a job is
        a binding's when it names the binding, or its id on the machine.
        """
        bindings = self.filtered("id")
        bound = bindings.filtered("coffee_id")
        last_jobs = {}
        if bindings:
            jobs = (
                self.env["queue.job"]
                .sudo()
                .search_fetch(
                    [
                        ("coffee_model", "=", self._name),
                        "|",
                        ("coffee_binding_id", "in", bindings.ids),
                        "&",
                        ("coffee_backend_id", "in", bindings.backend_id.ids),
                        ("coffee_external_id", "in", bound.mapped("coffee_id")),
                    ],
                    ["state", "exc_message", "exc_name", "coffee_binding_id"]
                    + ["coffee_backend_id", "coffee_external_id"],
                    order="date_created desc, id desc",
                )
            )
            by_external = {(b.backend_id.id, b.coffee_id): b.id for b in bound}
            for job in jobs:
                binding_id = job.coffee_binding_id or by_external.get(
                    (job.coffee_backend_id.id, job.coffee_external_id)
                )
                last_jobs.setdefault(binding_id, job)
        for binding in self:
            last = last_jobs.get(binding.id)
            binding.sync_error = (
                (last.exc_message or last.exc_name)
                if last and last.state == "failed"
                else False
            )

    def _job_store_values(self, job):
        """File the job under the backend and the record it synchronises.

        Hook of queue_job: values added to the ``queue.job`` it stores.
        """
        values = {"coffee_model": self._name}
        backend = job.args[0] if job.args else None
        if getattr(backend, "_name", None) == "coffee.backend":
            values["coffee_backend_id"] = backend.id
            if job.method_name == "_import_record" and len(job.args) > 1:
                values["coffee_external_id"] = int(job.args[1])
        elif len(self) == 1:
            values["coffee_backend_id"] = self.backend_id.id
            values["coffee_binding_id"] = self.id
            values["coffee_external_id"] = self.coffee_id
        return values

    @api.model
    def _import_batch(self, backend, filters=None):
        """Job: import the first page of records and enqueue the others.

        :param backend: the ``coffee.backend``
        :param filters: ``per_page`` and ``updated_since``
        """
        with backend.work_on(self._name) as work:
            return work.component(usage="batch.importer").run(filters=filters)

    @api.model
    def _import_page(self, backend, page, filters=None, last_page=None):
        """Job: import one page of records, or the pages ``page`` to
        ``last_page`` together.

        :param backend: the ``coffee.backend``
        :param page: page number, from 1
        :param filters: ``per_page`` and ``updated_since``
        :param last_page: last page number (default: ``page``)
        """
        with backend.work_on(self._name) as work:
            importer = work.component(usage="batch.importer")
            return importer.run_page(page, filters=filters, last_page=last_page)

    @api.model
    def _import_record(self, backend, external_id, force=False):
        """Job: import one record.

        :param backend: the ``coffee.backend``
        :param external_id: the record's id on the machine
        :param force: import even when the binding is up to date
        """
        with backend.work_on(self._name) as work:
            importer = work.component(usage="record.importer")
            return importer.run(external_id, force=force)

    @api.model
    def _delay_once(self, backend, method_name):
        """Enqueue the job ``method_name(backend)``, unless one waits already.

        The batch jobs of a backend and model (``_import_events``,
        ``_export_batch``) collect, when they run, the work marked for them
        in the database (pending webhook events, bindings to export): one
        waiting job is enough for any number of marks. Once per transaction,
        the waiting job is looked up and locked (``FOR UPDATE``) until the
        transaction ends, so that the job runner cannot start it before the
        marks of this transaction are committed, and it sees them. When the
        job started meanwhile (since the transaction's snapshot), locking it
        fails with a serialization error, and Odoo serves the request again:
        it then enqueues a new job. Enqueued with an identity key, so that
        the calls of concurrent transactions leave one job too.

        :param backend: the ``coffee.backend``
        :param method_name: ``_import_events`` or ``_export_batch``
        """
        key = f"{self._name}.{method_name}({backend.id})"
        delayed = self.env.cr.precommit.data.setdefault(
            "connector_coffee.delayed", set()
        )
        if key in delayed:
            return
        self.env["queue.job"].flush_model(["identity_key", "state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM queue_job
                WHERE identity_key = %s AND state IN %s
                FOR UPDATE
                """,
                key,
                WAITING_JOB_STATES,
            )
        )
        if not self.env.cr.fetchall():
            what = self._description
            if method_name == "_import_events":
                description = self.env._(
                    "%(backend)s: import the %(what)s of webhook events",
                    backend=backend.name,
                    what=what,
                )
            else:
                description = self.env._(
                    "%(backend)s: export the changed %(what)s",
                    backend=backend.name,
                    what=what,
                )
            delayable = self.browse().with_delay(
                identity_key=key, description=description
            )
            getattr(delayable, method_name)(backend)
        delayed.add(key)

    @api.model
    def _import_events(self, backend):
        """Job: import the records of a page of the backend's pending webhook
        events; enqueue the next job while events wait.

        :param backend: the ``coffee.backend``
        """
        with backend.work_on(self._name) as work:
            return work.component(usage="event.importer").run()

    @api.model
    def _export_batch(self, backend):
        """Job: export every binding of the backend marked for export, by
        pages, one request each.

        :param backend: the ``coffee.backend``
        """
        with backend.work_on(self._name) as work:
            return work.component(usage="batch.exporter").run()

    def _export_record(self, fields=None):
        """Job: export this binding to the machine.

        :param fields: the changed fields, or None for all of them
        """
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work:
            exporter = work.component(usage="record.exporter")
            return exporter.run(self, fields=fields)
