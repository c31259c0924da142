# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Backend adapter: the CRUD of one API resource of the coffee machine.

The adapter is the only component that talks HTTP. It drives the
:class:`~..coffee_api.client.CoffeeClient` of the work context and turns the
client's typed errors into what queue_job and connector understand:

* a rate limit (429) or a busy machine (503) becomes a
  :class:`RetryableJobError` delayed by the machine's ``Retry-After``;
* a timeout or a connection error becomes a :class:`NetworkRetryableError`;
* any other transient error (5xx, a malformed answer) is retried as well;
* a missing record (404) becomes :class:`IDMissingInBackend`;
* a permanent error (bad credentials, validation, a teapot...) becomes a
  :class:`CoffeeSyncError`, which fails the job with a message a user can act
  on. No message ever carries a credential.
"""

import logging
from contextlib import contextmanager

from odoo.addons.component.core import Component
from odoo.addons.connector.exception import IDMissingInBackend, NetworkRetryableError
from odoo.addons.queue_job.exception import RetryableJobError

from ..coffee_api import errors
from ..entities import BINDING_MODELS, BY_MODEL
from ..exception import CoffeeSyncError

_logger = logging.getLogger(__name__)

#: seconds before a retry when the machine asks to slow down without saying
#: for how long
DEFAULT_RETRY_AFTER = 10


class CoffeeAdapter(Component):
    """CRUD on the API resource of the model worked on (see ``entities.py``)."""

    # read/create/write implement connector's abstract CRUD adapter, whose
    # methods only raise NotImplementedError: there is no super to call.
    # pylint: disable=method-required-super

    _name = "coffee.adapter"
    _inherit = ["base.backend.adapter.crud", "base.coffee.connector"]
    _usage = "backend.adapter"
    _apply_on = BINDING_MODELS

    @property
    def _coffee_resource(self):
        """The API resource of the model worked on, e.g. ``machines``."""
        return BY_MODEL[self.model._name].resource

    @property
    def client(self):
        """The :class:`CoffeeClient` shared by the whole work context."""
        return self.work.coffee_client

    @contextmanager
    def _translate_errors(self, action):
        """Turn the client's errors into connector and queue_job errors.

        :param action: what was attempted, for the messages (e.g. "read 42")
        """
        try:
            yield
        except (errors.CoffeeRateLimitError, errors.CoffeeMachineBusyError) as err:
            seconds = int(err.retry_after or DEFAULT_RETRY_AFTER)
            raise RetryableJobError(
                self._message(action, err), seconds=max(seconds, 1)
            ) from err
        except (errors.CoffeeTimeoutError, errors.CoffeeConnectionError) as err:
            raise NetworkRetryableError(self._message(action, err)) from err
        except errors.CoffeeRetryableError as err:
            raise RetryableJobError(self._message(action, err)) from err
        except errors.CoffeeNotFoundError as err:
            raise IDMissingInBackend(self._message(action, err)) from err
        except errors.CoffeeError as err:
            raise CoffeeSyncError(self._message(action, err)) from err

    def _message(self, action, err):
        return self.env._(
            "Coffee backend %(backend)s: %(action)s %(resource)s failed: %(error)s",
            backend=self.backend_record.display_name,
            action=action,
            resource=self._coffee_resource,
            error=err,
        )

    def search_page(self, page=1, per_page=100, updated_since=None):
        """Read one page of the resource.

        :param page: page number, from 1
        :param per_page: records per page (at most 500)
        :param updated_since: only records changed at or after this ISO date
        :return: the page: ``{items, page, per_page, total, next_page}``
        """
        with self._translate_errors(f"list page {page} of"):
            return self.client.get_page(
                self._coffee_resource,
                page=page,
                per_page=per_page,
                updated_since=updated_since,
            )

    def read_many(self, external_ids):
        """Read the records of many ids, with one request per 500 of them.

        :param external_ids: ids on the machine
        :return: the records, ordered by id; an id the machine does not know
            is left out
        """
        with self._translate_errors(f"read {len(external_ids)} records of"):
            return self.client.read_many(self._coffee_resource, external_ids)

    def read(self, external_id):
        """Read one record.

        :param external_id: the record's id on the machine
        :return: the record as a dict
        """
        with self._translate_errors(f"read {external_id} of"):
            return self.client.read(self._coffee_resource, external_id)

    def create(self, data, idempotency_key=None, record=None):
        """Create a record on the machine.

        :param data: values of the new record
        :param idempotency_key: key that makes a retried creation harmless
        :param record: the Odoo record being created, named in the messages
        :return: the created record as a dict
        """
        action = "create in"
        if record:
            action = f"create {record._name} {record.id} ({record.display_name}) in"
        with self._translate_errors(action):
            return self.client.create(
                self._coffee_resource, data, idempotency_key=idempotency_key
            )

    def bulk_upsert(self, items):
        """Create or update many records with one request.

        A refused item does not fail the request: its result says why.

        :param items: dicts of values, with the machine id as ``id`` for
            the records to update
        :return: one ``{"status", "record"}`` or ``{"status", "error"}`` per
            item, in their order
        """
        with self._translate_errors(f"upsert {len(items)} records of"):
            return self.client.bulk_upsert(self._coffee_resource, items)

    def write(self, external_id, data):
        """Update a record on the machine.

        :param external_id: the record's id on the machine
        :param data: the values to change
        :return: the updated record as a dict
        """
        with self._translate_errors(f"update {external_id} of"):
            return self.client.write(self._coffee_resource, external_id, data)
