# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Importers: machine records into Odoo bindings.

The record importer does the work for one record or a whole page of them, in
one code path:

1. the machine records the page refers to (a brew's machine, beverage and
   user) are looked up with one query per related model, and the missing
   ones imported first (:attr:`CoffeeRecordImporter._dependencies`);
2. the bindings of all the page's ids are found with one query;
3. records not newer than their binding (the machine's ``updated_at``) are
   skipped, the others mapped from the page payload, with no GET per record;
4. new bindings are created in one ``create()`` call, changed ones written
   and flushed together: one savepoint per page, a few queries for it all.

Once the records are in, the failed import jobs of those now in sync are
done, their error no longer standing: at the end of a batch import (not at
each page), of a page of webhook events, of a retry.

A record the database refuses (a poison record) does not sink its page: the
page is saved again in halves, down to the refused records, and each of them
is handed to a job of its own, which fails with the record's own message.

The batch importer walks the pages: it imports the first ones and enqueues
one job for each next run of pages, as many pages a job as the backend's
records per job allow.
"""

import logging
from functools import cached_property

import psycopg2
import psycopg2.errorcodes

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from odoo.addons.component.core import AbstractComponent, Component
from odoo.addons.connector.exception import IDMissingInBackend, MappingError
from odoo.addons.queue_job.delay import group
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..entities import BINDING_MODELS, BY_MODEL
from ..exception import CoffeeSyncError
from .mapper import PageBindings, parse_datetime

#: errors by which the database or the ORM's constraints refuse a record's
#: values; any other error is a bug, which fails its job once, loudly
REFUSALS = (psycopg2.IntegrityError, psycopg2.DataError, ValidationError)

#: the context the bindings are created in: nothing to export back, and a
#: record new to Odoo has no history in its chatter to log
CREATE_CONTEXT = {"connector_no_export": True, "tracking_disable": True}

_logger = logging.getLogger(__name__)


def columns(model):
    """The columns of a model's records that the ORM reads together when one
    of them is needed (when a write compares its values, or the company of a
    related record is checked): read with the lookup of a page's bindings,
    rather than by one more query after it."""
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.column_type and field.prefetch is True
    ]


class ImportResult(dict):
    """Counts of an import: created, updated, skipped, deferred."""

    def __init__(self):
        super().__init__(created=0, updated=0, skipped=0, deferred=0)

    def add(self, other):
        for key, value in other.items():
            self[key] += value
        return self

    def __str__(self):
        return ", ".join(f"{value} {key}" for key, value in self.items())


class CoffeeRecordImporter(Component):
    """Import machine records, one or a page at a time.

    It serves every binding model; an entity whose records refer to others
    inherits it to name them in :attr:`_dependencies`.
    """

    _name = "coffee.record.importer"
    _inherit = ["base.importer", "base.coffee.connector"]
    _usage = "record.importer"
    # no _apply_on: every model of the coffee collection, unless a component
    # of the same usage applies on it

    #: machine records to import before this one: ``(key of the machine id
    #: in the JSON record, binding model)``; override in concrete importers
    _dependencies = []

    def run(self, external_id, force=False, record=None):
        """Import one machine record.

        :param external_id: the record's id on the machine
        :param force: import even when the binding is up to date
        :param record: the record's JSON, when the caller has it already
        :return: a message for the job's result
        """
        self._lock_record(external_id)
        if record is None:
            record = self.backend_adapter.read(external_id)
        result = self.import_records([record], force=force, defer_failures=False)
        return f"{self.model._name} {external_id}: {result}"

    def _lock_record(self, external_id):
        """Hold the record for this transaction, or ask for a retry when
        another transaction holds it (its import, or its refusal)."""
        self.advisory_lock_or_retry(
            f"coffee.import({self.backend_record.id}, {self.model._name}, "
            f"{external_id})",
            retry_seconds=2,
        )

    def import_records(self, records, force=False, defer_failures=True):
        """Import machine records into bindings.

        :param records: JSON records, as a page of the API gives them
        :param force: import even the records whose binding is up to date
        :param defer_failures: when a record is refused, hand it to a job of
            its own instead of failing the whole call
        :return: an :class:`ImportResult`
        """
        result = ImportResult()
        records = list({record["id"]: record for record in records}.values())
        if not records:
            return result
        relations = self._import_dependencies(records)
        existing = self._find_bindings(records)
        known = self._known_dates(existing.values())
        now = fields.Datetime.now()
        to_create, to_write = [], []
        with self.mapper.mapping_page(relations=relations) as map_values:
            for record in records:
                binding = existing.get(record["id"])
                if (
                    binding
                    and not force
                    and not self._is_newer(record, binding, known.get(binding.id))
                ):
                    result["skipped"] += 1
                    continue
                try:
                    values = self._check_values(map_values(record, not binding))
                except MappingError as err:
                    self._refuse(record, err, defer_failures)
                    result["deferred"] += 1
                    continue
                values["sync_date"] = now
                if binding and not binding.coffee_id:
                    # a binding made in Odoo that the record completes
                    values["coffee_id"] = record["id"]
                if binding:
                    # a new binding is synced by default; a synced one
                    # need not have the column written again
                    if binding.sync_state != "synced":
                        values["sync_state"] = "synced"
                    to_write.append((record, binding, values))
                else:
                    to_create.append((record, values))
        result.add(self._create_bindings(to_create, defer_failures))
        result.add(self._write_bindings(to_write, defer_failures))
        return result

    def _find_bindings(self, records):
        """The bindings of a page's records, by machine id, with one query.

        An importer whose records may complete bindings made in Odoo and
        not bound yet gives those too, under the record's machine id
        (:meth:`~.CoffeeBinder.to_unbound`).
        """
        return self.binder.to_internal_many(
            [record["id"] for record in records], fetch=columns(self.model)
        )

    def _known_dates(self, bindings):
        """``{binding id: the machine's date of its last import}``, read for
        a page of bindings at once."""
        if not bindings:
            return {}
        bindings = self.model.browse([binding.id for binding in bindings])
        return dict(
            zip(bindings.ids, bindings.mapped("coffee_updated_at"), strict=True)
        )

    def _is_newer(self, record, binding, known_date=None):
        """Whether the machine changed the record since it was imported.

        The machine's own ``updated_at`` is compared with the one stored at
        the last import, so that clocks of Odoo and the machine may differ.

        :param known_date: the binding's ``coffee_updated_at``, when the
            caller read it already
        """
        updated_at = parse_datetime(record.get("updated_at"))
        if known_date is None:
            known_date = binding.coffee_updated_at
        return not (updated_at and known_date and updated_at <= known_date)

    def _map_values(self, record, relations, for_create):
        """Map a machine record to the values of its binding.

        :raise MappingError: when the machine's data does not fit, such as a
            value no selection field of the binding knows
        """
        with self.mapper.mapping_page(relations=relations) as map_values:
            return self._check_values(map_values(record, for_create))

    def _check_values(self, values):
        """Check mapped values against what the binding's fields accept.

        :return: the values
        :raise MappingError: for a value no selection field of the binding
            knows
        """
        for name, allowed, known in self._selections:
            value = values.get(name)
            if value and value not in known:
                raise MappingError(
                    f"{name} {value!r} is not one of {', '.join(allowed)}"
                )
        return values

    @cached_property
    def _selections(self):
        """``(field, its values, the same as a set)`` of the binding's
        selection fields."""
        selections = []
        for name, field in self.model._fields.items():
            if field.type == "selection":
                allowed = field.get_values(self.env)
                selections.append((name, allowed, frozenset(allowed)))
        return selections

    def _import_dependencies(self, records):
        """Import the related machine records that Odoo does not have yet.

        A related record that cannot be imported (gone from the machine, or
        refused by Odoo) stays unbound: only the records that refer to it are
        refused by their mappers, not the whole page.

        :return: ``{binding model: {machine id: binding}}`` for the mappers,
            each inner dict a :class:`~.mapper.PageBindings`
        """
        relations = {}
        for key, binding_model in self._dependencies:
            ids = {record[key] for record in records if record.get(key)}
            binder = self.binder_for(binding_model)
            found = binder.to_internal_many(ids, fetch=columns(binder.model))
            missing = ids - set(found)
            if missing:
                importer = self.component(
                    usage="record.importer", model_name=binding_model
                )
                for external_id in sorted(missing):
                    self._import_dependency(importer, external_id)
                found.update(binder.to_internal_many(missing))
            relations[binding_model] = PageBindings(found, model_name=binding_model)
        return relations

    def _import_dependency(self, importer, external_id):
        """Import one related record, leaving it unbound when that fails.

        The failure is logged; the record's own import (its page, or its own
        job) reports it where a user sees it.
        """
        try:
            with self.env.cr.savepoint():
                importer.run(external_id)
        except (IDMissingInBackend, CoffeeSyncError) as err:
            _logger.warning("%s", err)

    def _create_bindings(self, to_create, defer_failures):
        """Create the new bindings, in one call while nothing is refused.

        :param to_create: ``(record, values)`` pairs
        :return: an :class:`ImportResult`
        """

        def create(items):
            self.model.with_context(**CREATE_CONTEXT).create(
                [values for __, values in items]
            )

        return self._save(to_create, create, "created", defer_failures)

    def _write_bindings(self, to_write, defer_failures):
        """Write the changed bindings, flushed at once while nothing is refused.

        :param to_write: ``(record, binding, values)`` triples
        :return: an :class:`ImportResult`
        """

        quiet = self.model.with_context(connector_no_export=True).env

        def write(items):
            for __, binding, values in items:
                binding.with_env(quiet).write(values)

        return self._save(to_write, write, "updated", defer_failures)

    def _save(self, items, save, counter, defer_failures, halved=False):
        """Save a job's items in one savepoint, or in halves after a refusal.

        One savepoint is one flush: the ORM then stores all the items with a
        few queries. When the database or the ORM refuses them, each half is
        saved again the same way, down to the refused records alone, which
        go to :meth:`_refuse`: a refused record among 2,000 costs some 20
        savepoints, not 2,000.

        :param items: tuples whose first item is the record's JSON
        :param save: function that saves a list of items
        :param counter: the :class:`ImportResult` key of the saved items
        :param defer_failures: see :meth:`import_records`
        :param halved: the items are a half of refused ones
        :return: an :class:`ImportResult`
        """
        result = ImportResult()
        if not items:
            return result
        try:
            # a refusal is handled below: no "bad query" ERROR in the log
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                save(items)
            result[counter] = len(items)
        except REFUSALS as err:
            if len(items) == 1:
                self._refuse(items[0][0], err, defer_failures)
                result["deferred"] += 1
                return result
            if not halved:
                _logger.info(
                    "%s: the database refused %s records of %s, saving them in "
                    "halves to find the refused ones",
                    self.backend_record.display_name,
                    len(items),
                    self.model._name,
                )
            half = len(items) // 2
            for part in (items[:half], items[half:]):
                result.add(self._save(part, save, counter, defer_failures, halved=True))
        return result

    def _refuse(self, record, err, defer_failures):
        """Deal with a record the database refused.

        A concurrent import of the same record makes the unique constraint
        fail: that is retried later. Otherwise the record goes to a job of
        its own, or, when this already is that job, fails it clearly.
        """
        if (
            isinstance(err, psycopg2.IntegrityError)
            and err.pgcode == psycopg2.errorcodes.UNIQUE_VIOLATION
        ):
            raise RetryableJobError(
                f"{self.model._name} {record['id']} was imported by a concurrent "
                "job; retrying later",
                seconds=2,
            ) from err
        message = self.env._(
            "Coffee backend %(backend)s: %(model)s %(id)s cannot be imported: "
            "%(error)s",
            backend=self.backend_record.display_name,
            model=self.model._name,
            id=record["id"],
            error=str(err).strip(),
        )
        if not defer_failures:
            raise CoffeeSyncError(message) from err
        _logger.warning(message)
        # two imports refusing the record at once (a page and a webhook's
        # events) would each give it a job: the second waits for the first
        self._lock_record(record["id"])
        job = self._record_job(record["id"])
        if job.state == "failed":
            # the same record refused again: its failed job runs once more,
            # rather than a new failed job at each import
            job.requeue()
            return
        if job:
            return  # its job is on its way
        self.model.with_delay(
            identity_key=identity_exact,
            description=message[:200],
        )._import_record(self.backend_record, record["id"], force=True)

    def _record_job(self, external_id):
        """The last job importing the record ``external_id`` on its own that
        is not over (done or cancelled), if any."""
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("coffee_backend_id", "=", self.backend_record.id),
                    ("coffee_model", "=", self.model._name),
                    ("coffee_external_id", "=", external_id),
                    ("method_name", "=", "_import_record"),
                    ("state", "not in", ("done", "cancelled")),
                ],
                order="id desc",
                limit=1,
            )
        )


class CoffeeBatchImporter(AbstractComponent):
    """Walk the pages of an API resource and import them."""

    _name = "coffee.batch.importer"
    _inherit = ["base.importer", "base.coffee.connector"]

    def _fetch_page(self, page, filters):
        filters = filters or {}
        return self.backend_adapter.search_page(
            page=page,
            per_page=filters.get("per_page") or 100,
            updated_since=filters.get("updated_since"),
        )

    def _fetch_pages(self, first, last, filters, data=None):
        """The records of the pages ``first`` to ``last``, read one request
        a page; it stops at the API's last page.

        :param data: the answer for page ``first``, when the caller has it
        :return: the records, in the order of the pages
        """
        items = []
        for page in range(first, last + 1):
            if data is None:
                data = self._fetch_page(page, filters)
            items += data["items"]
            if not data.get("next_page"):
                break
            data = None
        return items

    def _import_items(self, items):
        importer = self.component(usage="record.importer")
        return importer.import_records(items)

    def run_page(self, page, filters=None, last_page=None):
        """Import the pages ``page`` to ``last_page`` together: one lookup
        of their bindings, one ``create()`` of the new ones, one commit.

        :param page: first page number, from 1
        :param filters: ``per_page`` and ``updated_since``
        :param last_page: last page number (default: ``page``)
        :return: a message for the job's result
        """
        last_page = max(page, last_page or page)
        result = self._import_items(self._fetch_pages(page, last_page, filters))
        if last_page == page:
            return f"page {page}: {result}"
        return f"pages {page} to {last_page}: {result}"

    def _pages_per_job(self, per_page):
        """How many pages of ``per_page`` records a job imports: as many as
        the backend's records per job allow, at least one."""
        return max(1, self.backend_record.job_size // max(per_page, 1))


class CoffeeDelayedBatchImporter(Component):
    """Import the first pages now and enqueue one job for each next run of
    pages.

    The first page tells how many pages there are; it is imported from that
    same answer, so the import costs one request per page. A job imports as
    many pages as the backend's records per job allow (``job_size``): each
    job costs a transaction, the lookups of its records' bindings and its
    bookkeeping, paid once for all its pages.
    """

    _name = "coffee.delayed.batch.importer"
    _inherit = "coffee.batch.importer"
    _usage = "batch.importer"
    _apply_on = BINDING_MODELS

    def run(self, filters=None):
        """Import the first pages and enqueue the others.

        The import is over once every page is in: then its ``coffee.import``
        moves its date (:meth:`~.CoffeeImport._import_done`), at once when
        this job imported every page, else by a job that waits for every
        page job. A page job that fails for good leaves the date where it
        was, so that the next import asks for what that one missed.

        :param filters: ``per_page`` and ``updated_since``
        :return: a message for the job's result
        """
        data = self._fetch_page(1, filters)
        per_page = data.get("per_page") or len(data["items"]) or 1
        last_page = 1
        if data.get("next_page"):
            last_page = max(1, -(-int(data.get("total") or 0) // per_page))
        span = self._pages_per_job(per_page)
        first_last = min(span, last_page)
        result = self._import_items(self._fetch_pages(1, first_last, filters, data))
        jobs = [
            self._page_job(page, min(page + span - 1, last_page), filters)
            for page in range(first_last + 1, last_page + 1, span)
        ]
        coffee_import = self.backend_record._coffee_import(
            BY_MODEL[self.model._name].resource
        )
        if jobs:
            done = coffee_import.delayable(
                description=self.env._(
                    "%(backend)s: import of %(model)s done",
                    backend=self.backend_record.display_name,
                    model=self.model._description,
                ),
            )._import_done()
            group(*jobs).on_done(done).delay()
        else:
            coffee_import._import_done()
        pages = "page 1" if first_last == 1 else f"pages 1 to {first_last}"
        return f"{pages}: {result}; {len(jobs)} more page jobs enqueued"

    def _page_job(self, page, last_page, filters):
        """The job importing the pages ``page`` to ``last_page``, not
        enqueued yet."""
        if last_page == page:
            description = self.env._(
                "%(backend)s: import page %(page)s of %(model)s",
                backend=self.backend_record.display_name,
                page=page,
                model=self.model._description,
            )
            pages = {}
        else:
            description = self.env._(
                "%(backend)s: import pages %(page)s to %(last)s of %(model)s",
                backend=self.backend_record.display_name,
                page=page,
                last=last_page,
                model=self.model._description,
            )
            pages = {"last_page": last_page}
        return self.model.delayable(
            identity_key=identity_exact, description=description
        )._import_page(self.backend_record, page, filters=filters, **pages)
