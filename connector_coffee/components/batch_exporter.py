# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Batch exporter: the bindings changed together leave together.

A listener does not enqueue one export per changed record: it marks the
bindings to export (``export_pending``) and makes sure that one job of the
backend waits to export them
(:meth:`~..models.coffee_binding.common.CoffeeBinding._delay_once`). When
it runs, the job exports every marked binding, by pages of the backend's
page size: each page is mapped by the export mapper and sent with one bulk
upsert (``POST /<resource>/bulk``), which answers a result per record.

A record the machine refuses does not sink its page: it fails alone, in a
job of its own (the record exporter's ``_export_record``), which tells the
machine's message on the job and on the binding's sync error. While that
job is failed, the next changes of the binding run it again rather than the
page. A page that the machine does not answer (timeout, 5xx, 429) retries
the whole job: records created before the failure are found again by their
``ref`` (the Odoo id), never created twice.
"""

import psycopg2
import psycopg2.errorcodes

from odoo import fields
from odoo.tools import SQL, mute_logger

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .mapper import parse_datetime

#: seconds before a job retries the bindings another transaction holds
LOCKED_RETRY = 2


class CoffeeBatchExporter(AbstractComponent):
    """Export the bindings of a backend marked for export, by pages."""

    _name = "coffee.batch.exporter"
    _inherit = ["base.exporter", "base.coffee.connector"]
    _usage = "batch.exporter"

    #: the boolean field marking the bindings to export; override if needed
    _pending_field = "export_pending"

    def run(self):
        """Export every marked binding, one request per page.

        :return: a message for the job's result
        """
        counts = {"exported": 0, "refused": 0, "rerun": 0}
        pages = 0
        while True:
            bindings = self._take_page()
            if not bindings:
                break
            pages += 1
            for key, value in self._export_page(bindings).items():
                counts[key] += value
        return f"{pages} pages: " + ", ".join(
            f"{value} {key}" for key, value in counts.items()
        )

    def _take_page(self):
        """Lock and return the next page of bindings marked for export.

        :raise RetryableJobError: when another transaction holds one of them
        """
        model = self.model.with_context(active_test=False)
        model.flush_model([self._pending_field, "backend_id"])
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT id FROM %s
                        WHERE backend_id = %s AND %s
                        ORDER BY id
                        LIMIT %s
                        FOR UPDATE NOWAIT
                        """,
                        SQL.identifier(model._table),
                        self.backend_record.id,
                        SQL.identifier(self._pending_field),
                        self.backend_record.page_size,
                    )
                )
                ids = [row[0] for row in self.env.cr.fetchall()]
        except psycopg2.OperationalError as err:
            if err.pgcode != psycopg2.errorcodes.LOCK_NOT_AVAILABLE:
                raise
            raise RetryableJobError(
                f"{model._name}: a binding to export is being changed; retrying later",
                seconds=LOCKED_RETRY,
            ) from err
        return model.browse(ids)

    def _export_page(self, bindings):
        """Export a page of bindings with one bulk request.

        :param bindings: the locked bindings of the page
        :return: counts: ``exported``, ``refused`` (each to a job of its
            own), ``rerun`` (their failed job run again instead)
        """
        now = fields.Datetime.now()
        quiet = bindings.with_context(connector_no_export=True)
        quiet.write({self._pending_field: False})
        rerun = self._rerun_failed_jobs(bindings)
        bindings -= rerun
        if not bindings:
            return {"exported": 0, "refused": 0, "rerun": len(rerun)}
        mapper = self.component(usage="export.mapper")
        items = []
        for binding in bindings:
            values = mapper.map_record(binding).values(for_create=not binding.coffee_id)
            if binding.coffee_id:
                values["id"] = binding.coffee_id
            items.append(values)
        results = self.backend_adapter.bulk_upsert(items)
        refused = 0
        for binding, result in zip(bindings, results, strict=True):
            record = result.get("record")
            if result.get("status") in (200, 201) and isinstance(record, dict):
                binding.with_env(quiet.env).write(
                    {
                        "coffee_id": record["id"],
                        "coffee_updated_at": parse_datetime(record.get("updated_at")),
                        "sync_date": now,
                    }
                )
            else:
                self._refuse(binding, result)
                refused += 1
        return {
            "exported": len(bindings) - refused,
            "refused": refused,
            "rerun": len(rerun),
        }

    def _rerun_failed_jobs(self, bindings):
        """Run again the failed export jobs of bindings, rather than the page.

        :return: the bindings whose failed job was run again
        """
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("coffee_model", "=", self.model._name),
                    ("coffee_binding_id", "in", bindings.ids),
                    ("method_name", "=", "_export_record"),
                    ("state", "=", "failed"),
                ]
            )
        )
        # a failed job, whatever the user: it runs again as it was
        jobs.requeue()
        return bindings.browse(set(jobs.mapped("coffee_binding_id")))

    def _refuse(self, binding, result):
        """A record the machine refused: its export goes to a job of its own.

        That job sends the record alone and fails with the machine's message
        (or succeeds, when what the machine refused changed meanwhile).

        :param result: the item's result, with the machine's ``error``
        """
        error = result.get("error") or {}
        message = self.env._(
            "Coffee backend %(backend)s: %(model)s %(id)s refused by the machine "
            "(%(status)s): %(error)s",
            backend=self.backend_record.display_name,
            model=binding._name,
            id=binding.id,
            status=result.get("status"),
            error=error.get("message") or error.get("code") or "",
        )
        binding.with_delay(
            identity_key=identity_exact, description=message[:200]
        )._export_record()
