# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The synchronisation state of every binding, and the actions on it.

``sync_state`` is stored, so that bindings are searched and counted by it:

- *synced*: the last import or export of the record went through;
- *failed*: its last job failed (the record's error is that job's);
- *waiting*: a job of the record waits to run, or it was marked to resync.

It follows the record's jobs: each time a coffee job is stored or changes
state, the bindings it names (by id, or by id on the machine) take the
state of the job, with one ``UPDATE`` per binding model. An import that
saves a record marks it synced.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from odoo.addons.connector.exception import IDMissingInBackend
from odoo.addons.queue_job.job import identity_exact

SYNC_STATES = [
    ("synced", "Synced"),
    ("failed", "Failed"),
    ("waiting", "Waiting"),
]

#: the state a binding takes from the state of its job
SYNC_STATE_OF_JOB = {
    "wait_dependencies": "waiting",
    "pending": "waiting",
    "enqueued": "waiting",
    "started": "waiting",
    "done": "synced",
    "failed": "failed",
}


class CoffeeBinding(models.AbstractModel):
    _inherit = "coffee.binding"

    sync_state = fields.Selection(
        selection=SYNC_STATES,
        default="synced",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        help="Synced: the last synchronisation of the record went through. "
        "Failed: its last job failed. Waiting: a job of the record waits to "
        "run, or the record was marked to resync.",
    )

    @api.model
    def _coffee_set_sync_state(self, state, ids=(), external_ids=None):
        """Set the state of bindings in one statement.

        :param state: ``synced``, ``failed`` or ``waiting``
        :param ids: ids of bindings
        :param external_ids: ``{backend id: machine ids}``
        """
        conditions = []
        if ids:
            conditions.append(SQL("id = ANY(%s)", sorted(ids)))
        for backend_id, machine_ids in (external_ids or {}).items():
            if machine_ids:
                conditions.append(
                    SQL(
                        "(backend_id = %s AND coffee_id = ANY(%s))",
                        backend_id,
                        sorted(machine_ids),
                    )
                )
        if not conditions:
            return
        # pending writes (an import marking its records synced) first
        self.flush_model(["sync_state"])
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET sync_state = %s WHERE sync_state != %s AND (%s)",
                SQL.identifier(self._table),
                state,
                state,
                SQL(" OR ").join(conditions),
            )
        )
        self.invalidate_model(["sync_state"])

    def _coffee_check_sync_access(self):
        """Refuse a caller who may not synchronise these bindings."""
        self.backend_id._check_manager_access("write")
        self.check_access("write")

    def action_retry_sync(self):
        """Server action: import the selected records again from the machine.

        Coffee managers only. One job per page of records (the backend's
        page size), which reads and imports each of them; the records the
        machine refuses again get a failed job of their own, as in any
        import.

        :return: a notification action
        """
        self._coffee_check_sync_access()
        bindings = self.filtered("coffee_id")
        jobs = 0
        for backend, of_backend in bindings.grouped("backend_id").items():
            for page in split_every(
                backend.page_size, sorted(of_backend.mapped("coffee_id"))
            ):
                self._coffee_retry_job(backend, list(page)).delay()
                jobs += 1
        self._coffee_set_sync_state("waiting", ids=bindings.ids)
        return self._coffee_notification(
            self.env._(
                "%(count)s records to import again, in %(jobs)s jobs.",
                count=len(bindings),
                jobs=jobs,
            )
        )

    def _coffee_retry_job(self, backend, external_ids):
        """The job importing the records ``external_ids`` again, not enqueued.

        :return: the ``Delayable``
        """
        return self.delayable(
            identity_key=identity_exact,
            description=self.env._(
                "%(backend)s: import %(count)s %(model)s again",
                backend=backend.display_name,
                count=len(external_ids),
                model=self._description,
            ),
        )._import_records(backend, external_ids)

    def action_mark_resync(self):
        """Server action: have the next import take the selected records again.

        Coffee managers only. Clears the machine's date of each record, so
        that the importer does not skip it as up to date, and marks it
        waiting: the next import that lists it, or the next reconciliation,
        imports it.

        :return: a notification action
        """
        self._coffee_check_sync_access()
        self.with_context(connector_no_export=True).write({"coffee_updated_at": False})
        self._coffee_set_sync_state("waiting", ids=self.ids)
        return self._coffee_notification(
            self.env._("%(count)s records marked to resync.", count=len(self))
        )

    def _coffee_notification(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _import_records(self, backend, external_ids):
        """Job: import records again, one page of them, whatever their date.

        The failed import jobs of the records imported are done: this import
        supersedes them. A record the machine no longer has is left to the
        reconciliation.

        :param backend: the ``coffee.backend``
        :param external_ids: ids on the machine
        :return: a message for the job's result
        """
        records, gone = [], []
        with backend.work_on(self._name) as work:
            adapter = work.component(usage="backend.adapter")
            for external_id in external_ids:
                try:
                    records.append(adapter.read(external_id))
                except IDMissingInBackend:
                    gone.append(external_id)
            importer = work.component(usage="record.importer")
            result = importer.import_records(records, force=True)
        self._coffee_supersede_failed_jobs(backend, [r["id"] for r in records])
        return f"{len(records)} read, {len(gone)} gone from the machine: {result}"

    @api.model
    def _coffee_supersede_failed_jobs(self, backend, external_ids=None):
        """Set done the failed import jobs of records now in sync.

        Called once the records of an import are in: by the last job of a
        batch import for all the records of the backend, by the import of
        webhook events or of a retry for theirs. A record refused again had
        its failed job run once more (pending): only the jobs still failed,
        of records whose binding is synced, are superseded.

        :param external_ids: ids on the machine of the records imported
            (default: every record of the backend)
        """
        domain = [
            ("coffee_backend_id", "=", backend.id),
            ("coffee_model", "=", self._name),
            ("method_name", "=", "_import_record"),
            ("state", "=", "failed"),
        ]
        if external_ids is not None:
            domain.append(("coffee_external_id", "in", external_ids))
        jobs = self.env["queue.job"].sudo().search(domain)
        if not jobs:
            return
        imported = self.with_context(active_test=False).search(
            [
                ("backend_id", "=", backend.id),
                ("coffee_id", "in", jobs.mapped("coffee_external_id")),
                ("sync_state", "=", "synced"),
            ]
        )
        jobs.filtered(
            lambda job: job.coffee_external_id in imported.mapped("coffee_id")
        )._change_job_state("done", result="Superseded by a new import of the record.")


class QueueJob(models.Model):
    _inherit = "queue.job"

    @api.model_create_multi
    @api.private
    def create(self, vals_list):
        jobs = super().create(vals_list)
        jobs._coffee_update_sync_state()
        return jobs

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self._coffee_update_sync_state()
        return result

    def _coffee_update_sync_state(self):
        """The bindings of these coffee jobs take the state of their job.

        A job names its binding (an export), or its id on the machine (the
        import of one record); the job importing a page of records again
        names them in its arguments, which take its failure.
        """
        targets = defaultdict(lambda: (set(), defaultdict(set)))
        for job in self:
            state = SYNC_STATE_OF_JOB.get(job.state)
            if not job.coffee_model or job.coffee_model not in self.env or not state:
                continue
            ids, external = targets[job.coffee_model, state]
            if job.coffee_binding_id:
                ids.add(job.coffee_binding_id)
            elif job.coffee_external_id and job.coffee_backend_id:
                external[job.coffee_backend_id.id].add(job.coffee_external_id)
            elif (
                job.method_name == "_import_records"
                and state == "failed"
                and job.coffee_backend_id
            ):
                external[job.coffee_backend_id.id].update(job.args[1])
        for (model, state), (ids, external) in targets.items():
            self.env[model].sudo()._coffee_set_sync_state(
                state, ids=ids, external_ids=external
            )
