# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP client of the coffee machine REST API v1."""

import ipaddress
import logging
import socket
import string
import time
import unicodedata
from datetime import datetime, timezone
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from . import __version__
from .errors import (
    CoffeeConfigurationError,
    CoffeeConnectionError,
    CoffeeProtocolError,
    CoffeeTimeoutError,
    SecretMask,
    basic_credentials,
    error_from_response,
)

_logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
RESOURCES = ("machines", "beverages", "users", "brews")
MAX_PER_PAGE = 500
#: the most record ids a list request filters on (``?ids=``)
MAX_IDS = 500
#: the most records a bulk request creates or updates
MAX_BULK = 500
#: what a failure after the connection was made tells, by the text of the
#: library's error; any other says only that the request failed (the details
#: are logged)
TRANSPORT_REASONS = (
    ("remotedisconnected", "connection closed without an answer"),
    ("connection aborted", "connection closed without an answer"),
    ("reset by peer", "connection closed without an answer"),
    ("certificate", "TLS certificate error"),
    ("ssl", "TLS error"),
)


def format_updated_since(value):
    """Normalize an ``updated_since`` filter to what the API takes.

    The API takes an RFC 3339 date-time with its offset: a datetime is sent
    in UTC, a text without an offset is read as UTC; any other text is sent
    as it is (the machine refuses what is not a date-time with a 422).

    :param value: None, a datetime (naive means UTC) or an ISO 8601 string
    :return: None or an ISO 8601 string
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return text or None
        return format_updated_since(parsed) if parsed.tzinfo is None else text
    raise TypeError(f"updated_since must be a datetime or a string, not {value!r}")


def validate_location(location):
    """Check and normalize the base URL of a coffee machine.

    :param location: e.g. ``http://127.0.0.1:8089`` (trailing slashes tolerated)
    :return: the location without trailing slash
    :raise CoffeeConfigurationError: when the URL is unusable
    """
    if not isinstance(location, str) or not location.strip():
        raise CoffeeConfigurationError(
            "The location of the coffee machine is empty. "
            "Set it to a URL like http://coffee.example.com:8089."
        )
    location = location.strip().rstrip("/")
    try:
        parts = urlsplit(location)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise CoffeeConfigurationError(
            f"The location of the coffee machine is not a valid URL ({exc})."
        ) from None
    if port == 0:
        raise CoffeeConfigurationError(
            "The location of the coffee machine has an invalid port 0."
        )
    if parts.scheme not in ("http", "https"):
        raise CoffeeConfigurationError(
            "The location of the coffee machine must start with http:// or "
            "https://, e.g. http://coffee.example.com:8089."
        )
    if parts.username or parts.password:
        raise CoffeeConfigurationError(
            "The location of the coffee machine must not contain credentials; "
            "set the username/password or API key fields of the backend instead."
        )
    if not parts.hostname:
        raise CoffeeConfigurationError(
            "The location of the coffee machine has no host name, "
            "e.g. http://coffee.example.com:8089."
        )
    if parts.query or parts.fragment:
        raise CoffeeConfigurationError(
            "The location of the coffee machine must not contain a query string "
            "or a fragment."
        )
    return location


def _ipv4_literal(host):
    """The IPv4 address a host name stands for as a number, or None.

    Besides the dotted quad, the system's resolver takes the legacy forms
    ``127.1``, ``2130706433`` or ``0x7f.0.0.1`` as addresses, without DNS.
    """
    if not host or set(host) - set(string.hexdigits + "xX."):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def is_local_location(location):
    """Whether a location points at this host or at a link-local address.

    Loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10) and
    unspecified (0.0.0.0, ::, which reach this host) addresses given as
    literal IPs, and the name ``localhost`` (and its subdomains), are local.
    Other names are not resolved: this checks what the location says, not
    where DNS sends it.

    :param location: a URL, e.g. ``http://127.0.0.1:8089``
    :return: bool (False for a location that is no usable URL)
    """
    try:
        host = urlsplit(str(location).strip()).hostname
    except ValueError:
        return False
    if not host:
        return False
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = _ipv4_literal(host)
        if address is None:
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_link_local or address.is_unspecified


def has_control_characters(text):
    """Whether a text holds control characters or line separators.

    :param text: a string
    :return: bool
    """
    return any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text)


def _check_resource(resource):
    """Validate a resource name.

    :param resource: one of :data:`RESOURCES`
    :return: the resource
    :raise ValueError: for any other name
    """
    if resource not in RESOURCES:
        raise ValueError(
            f"Unknown coffee machine resource {resource!r}; "
            f"expected one of {', '.join(RESOURCES)}."
        )
    return resource


def _check_id(record_id):
    """Validate a record id.

    :param record_id: a positive integer (or its string form)
    :return: the id as int
    :raise ValueError: otherwise
    """
    try:
        value = int(record_id)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid record id {record_id!r}.") from None
    if value < 1 or isinstance(record_id, bool):
        raise ValueError(f"Invalid record id {record_id!r}.")
    return value


def _format_ids(ids):
    """The ``ids`` filter of a list: ``1,2,3``.

    :param ids: 1 to :data:`MAX_IDS` record ids
    :raise ValueError: for no id, too many or one that is not an id
    """
    values = [_check_id(record_id) for record_id in ids]
    if not 1 <= len(values) <= MAX_IDS:
        raise ValueError(f"A list filters on 1 to {MAX_IDS} ids, not {len(values)}.")
    return ",".join(str(value) for value in values)


class CoffeeClient:
    """Client of the coffee machine REST API v1.

    No automatic retries: transient failures raise a
    :class:`~.errors.CoffeeRetryableError` that the caller (a queue job)
    retries.

    :param location: base URL of the machine, e.g. ``http://127.0.0.1:8089``
    :param username: HTTP Basic user name (used when no api_key)
    :param password: HTTP Basic password
    :param api_key: API key sent as ``Authorization: Bearer <key>``
    :param timeout: seconds, as a float (connect and read) or a tuple
    :param verify: TLS verification, passed to requests
    :param user_agent: ``User-Agent`` header; default ``connector-coffee/<ver>``
    :param session: a ``requests.Session`` to use (not closed by :meth:`close`)
    """

    def __init__(
        self,
        location,
        username=None,
        password=None,
        api_key=None,
        timeout=10.0,
        verify=True,
        user_agent=None,
        session=None,
    ):
        self.location = validate_location(location)
        self.api_url = self.location + API_PREFIX
        self.api_path = urlsplit(self.api_url).path
        self.username = username
        self._password = password
        self._api_key = api_key
        self.timeout = self._normalize_timeout(timeout)
        self.verify = verify
        self.user_agent = user_agent or f"connector-coffee/{__version__}"
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()

    def __repr__(self):
        return f"<CoffeeClient {self.location}>"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    @staticmethod
    def _normalize_timeout(timeout):
        """Return the timeout as a (connect, read) tuple.

        :param timeout: a number or a 2-tuple of numbers
        :return: a tuple of two floats
        """
        if isinstance(timeout, list | tuple):
            connect, read = timeout
            return (float(connect), float(read))
        if timeout is None:
            raise CoffeeConfigurationError("A timeout is required.")
        return (float(timeout), float(timeout))

    def close(self):
        """Close the HTTP session if the client created it."""
        if self._own_session and self.session is not None:
            self.session.close()

    # -- low level ---------------------------------------------------------

    def _auth_headers(self):
        """Return the Authorization header (api key first, else Basic).

        :return: dict of headers
        :raise CoffeeConfigurationError: for an API key that cannot be sent
        """
        if self._api_key:
            key = str(self._api_key)
            if key != key.strip() or has_control_characters(key):
                raise CoffeeConfigurationError(
                    "The API key starts or ends with blanks, or holds a line "
                    "break or another control character: enter it again."
                )
            return {"Authorization": f"Bearer {key}"}
        if self.username or self._password:
            basic = basic_credentials(self.username, self._password)
            return {"Authorization": f"Basic {basic}"}
        return {}

    def _scrub(self, text):
        """Mask the secrets of this client in a text from outside.

        The password and the API key, in every form a text may quote them,
        and the value of the Basic ``Authorization`` header, whatever their
        length (see :class:`~.errors.SecretMask`).

        :param text: a text the machine or a library wrote
        :return: the text with the secrets masked, or withheld
        """
        extra = ()
        if self._password:
            extra = (basic_credentials(self.username, self._password),)
        return SecretMask((self._password, self._api_key), extra=extra)(text)

    def _requests_timeout(self):
        """The timeout as requests takes it: one number when both are equal.

        A plain number is also what code that inspects requests' timeouts
        (such as Odoo's test mode) expects.
        """
        connect, read = self.timeout
        return connect if connect == read else self.timeout

    def _send(self, method, path, params=None, json_body=None, headers=None):
        """Send one request, mapping transport failures to coffee errors.

        :return: the ``requests.Response``
        """
        all_headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        all_headers.update(headers or {})
        all_headers.update(self._auth_headers())
        request_line = f"{method} {self.api_path}{path}"
        try:
            return self.session.request(
                method,
                self.api_url + path,
                params=params,
                json=json_body,
                headers=all_headers,
                timeout=self._requests_timeout(),
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            failure = exc
        # Raised out of the except clause, so that nothing chains the
        # library's exception: its text may quote a header or the answer's
        # status line, and it holds the request, Authorization header included.
        error = self._transport_error(request_line, failure)
        del failure
        raise error

    def _transport_error(self, request_line, exc):
        """The coffee error for a request that got no HTTP answer.

        Refused, unknown host, unreachable or not accepted in time: the
        message is the same, so that it does not tell which hosts and ports
        answer. The library's own text goes to the log only, masked.

        :param request_line: e.g. ``GET /api/v1/status``
        :param exc: the ``requests`` exception
        :return: a :class:`~.errors.CoffeeRetryableError` (not raised)
        """
        _logger.info(
            "%s to %s got no answer: %s",
            request_line,
            self.location,
            self._scrub(f"{type(exc).__name__}: {exc}"),
        )
        if self._not_connected(exc):
            return CoffeeConnectionError(
                f"{request_line}: could not connect to the machine at "
                f"{self.location} within {self.timeout[0]:g} seconds. Check its "
                "location and that it is on and reachable."
            )
        if isinstance(exc, requests.Timeout):
            return CoffeeTimeoutError(
                f"{request_line}: the machine at {self.location} did not answer "
                f"within {self.timeout[1]:g} seconds."
            )
        text = str(exc).lower()
        reason = next(
            (reason for needle, reason in TRANSPORT_REASONS if needle in text),
            "the request failed",
        )
        return CoffeeConnectionError(
            f"{request_line}: the machine at {self.location} could not be "
            f"reached ({reason}). Check that it is on and reachable."
        )

    @staticmethod
    def _not_connected(exc):
        """Whether no connection was made: refused, unknown host, unreachable,
        or not accepted within the timeout.

        :param exc: a ``requests`` exception
        :return: bool
        """
        if isinstance(exc, requests.ConnectTimeout):
            return True
        if not isinstance(exc, requests.ConnectionError) or not exc.args:
            return False
        reason = exc.args[0]
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)

    @staticmethod
    def _parse_json(response, request_line):
        """Decode a JSON object body.

        :return: the decoded dict ({} for an empty body)
        :raise CoffeeProtocolError: for a body that is not a JSON object
        """
        if response.status_code == 204 or not response.content:
            return {}
        try:
            body = response.json()
            valid = True
        except ValueError:
            valid = False
        if not valid:
            # raised here, not in the except clause: the decoding error holds
            # the whole body, which must not come along as a context
            raise CoffeeProtocolError(
                f"{request_line} answered {response.status_code} with a body that "
                "is not valid JSON.",
                status=response.status_code,
            )
        if not isinstance(body, dict):
            raise CoffeeProtocolError(
                f"{request_line} answered {response.status_code} with JSON that is "
                "not an object.",
                status=response.status_code,
            )
        return body

    def request(self, method, path, params=None, json_body=None, headers=None):
        """Send a request to the API and decode its JSON answer.

        :param method: HTTP method
        :param path: path below ``/api/v1``, e.g. ``/brews/3``
        :param params: query parameters
        :param json_body: body to send as JSON
        :param headers: extra headers
        :return: the decoded JSON object ({} for 204)
        :raise CoffeeError: on any failure
        """
        request_line = f"{method} {self.api_path}{path}"
        start = time.monotonic()
        response = self._send(method, path, params, json_body, headers)
        _logger.debug(
            "%s -> %s in %.3fs",
            request_line,
            response.status_code,
            time.monotonic() - start,
        )
        if response.status_code >= 400:
            raise error_from_response(
                method, f"{self.api_path}{path}", response, scrub=self._scrub
            )
        if not 200 <= response.status_code < 300:
            raise CoffeeProtocolError(
                f"{request_line} answered an unexpected {response.status_code} "
                f"{self._scrub(response.reason or '')}.",
                status=response.status_code,
            )
        return self._parse_json(response, request_line)

    # -- API ---------------------------------------------------------------

    def status(self):
        """Return the machine status.

        :return: dict with ``api_version`` and ``server_time``
        """
        return self.request("GET", "/status")

    def get_webhook(self):
        """Read where the machine sends its events (``GET /webhook``).

        :return: dict ``{"url": str or None, "last_delivery": None or {"at":
            ISO 8601 date-time, "status": the HTTP status the receiver
            answered or None, "error": why no answer came or None}}``
        :raise CoffeeProtocolError: when the answer is not of that shape
        """
        body = self.request("GET", "/webhook")
        url, last = body.get("url"), body.get("last_delivery")
        valid_last = last is None or (
            isinstance(last, dict)
            and isinstance(last.get("at"), str)
            and (last.get("status") is None or type(last["status"]) is int)
            and (last.get("error") is None or isinstance(last["error"], str))
        )
        if not (url is None or isinstance(url, str)) or not valid_last:
            raise CoffeeProtocolError(
                f"GET {self.api_path}/webhook answered no webhook target."
            )
        return body

    def get_page(self, resource, page=1, per_page=100, updated_since=None, ids=None):
        """Read one page of a resource list.

        :param resource: machines, beverages, users or brews
        :param page: page number, from 1
        :param per_page: items per page, 1 to 500
        :param updated_since: only records with ``updated_at >= updated_since``
            (datetime, naive meaning UTC, or ISO 8601 string)
        :param ids: only the records of these ids (1 to 500 of them); the
            machine leaves out the ids of no record
        :return: dict ``{items, page, per_page, total, next_page}``
        """
        _check_resource(resource)
        params = {"page": int(page), "per_page": int(per_page)}
        since = format_updated_since(updated_since)
        if since:
            params["updated_since"] = since
        if ids is not None:
            params["ids"] = _format_ids(ids)
        body = self.request("GET", f"/{resource}", params=params)
        if not isinstance(body.get("items"), list):
            raise CoffeeProtocolError(
                f"GET {self.api_path}/{resource} answered a page without an "
                "'items' list."
            )
        return body

    def iter_pages(self, resource, updated_since=None, per_page=100, start_page=1):
        """Iterate over the pages of a resource list.

        :param resource: machines, beverages, users or brews
        :param updated_since: see :meth:`get_page`
        :param per_page: items per page, 1 to 500
        :param start_page: first page to read
        :return: a generator of page dicts
        """
        page = int(start_page)
        while page:
            body = self.get_page(
                resource, page=page, per_page=per_page, updated_since=updated_since
            )
            yield body
            next_page = body.get("next_page")
            if next_page is None:
                return
            if not isinstance(next_page, int) or next_page <= page:
                raise CoffeeProtocolError(
                    f"GET {self.api_path}/{resource} answered page {page} with an "
                    f"invalid next_page {self._scrub(repr(next_page))}."
                )
            page = next_page

    def iter_all(self, resource, updated_since=None, per_page=100):
        """Iterate over all the records of a resource list.

        Records already seen on an earlier page (the list shifted while it
        was read) are skipped.

        :param resource: machines, beverages, users or brews
        :param updated_since: see :meth:`get_page`
        :param per_page: items per page, 1 to 500
        :return: a generator of record dicts
        """
        seen = set()
        for body in self.iter_pages(
            resource, updated_since=updated_since, per_page=per_page
        ):
            for item in body["items"]:
                record_id = item.get("id") if isinstance(item, dict) else None
                if record_id in seen:
                    continue
                seen.add(record_id)
                yield item

    def read_many(self, resource, ids):
        """Read the records of many ids, 500 per request.

        :param resource: machines, beverages, users or brews
        :param ids: the ids on the machine, in any number and order
        :return: the records that exist, ordered by id (an id of no record
            is left out)
        """
        _check_resource(resource)
        wanted = sorted({_check_id(record_id) for record_id in ids})
        records = []
        for start in range(0, len(wanted), MAX_IDS):
            chunk = wanted[start : start + MAX_IDS]
            # one page as large as the ids answers them all
            body = self.get_page(resource, per_page=len(chunk), ids=chunk)
            records += body["items"]
        return records

    def read(  # pylint: disable=method-required-super
        self, resource, record_id
    ):
        """Read one record.

        :param resource: machines, beverages, users or brews
        :param record_id: the id on the machine
        :return: the record dict
        """
        _check_resource(resource)
        return self.request("GET", f"/{resource}/{_check_id(record_id)}")

    def create(  # pylint: disable=method-required-super
        self, resource, values, idempotency_key=None
    ):
        """Create a record.

        :param resource: users or brews (see :meth:`create_brew`)
        :param values: dict of field values
        :param idempotency_key: sent as the ``Idempotency-Key`` header if given
        :return: the created record dict
        """
        _check_resource(resource)
        headers = {"Idempotency-Key": str(idempotency_key)} if idempotency_key else {}
        return self.request("POST", f"/{resource}", json_body=values, headers=headers)

    def write(  # pylint: disable=method-required-super
        self, resource, record_id, values
    ):
        """Update a record.

        :param resource: beverages (price, active) or users
        :param record_id: the id on the machine
        :param values: dict of field values
        :return: the updated record dict
        """
        _check_resource(resource)
        return self.request(
            "PUT", f"/{resource}/{_check_id(record_id)}", json_body=values
        )

    def bulk_upsert(self, resource, items):
        """Create or update many records in one request (``POST /users/bulk``).

        Each item is done on its own: an item with an ``id`` updates that
        record, one without creates a record (or updates the one of the same
        ``ref``, so that a retry creates nothing twice). A refused item does
        not stop the others.

        :param resource: users
        :param items: 1 to 500 dicts of field values, with ``id`` to update
        :return: one result per item, in their order: ``{"status": 200 or
            201, "record": {...}}`` or ``{"status": 404, 409 or 422,
            "error": {"code", "message", "fields"?}}``
        :raise CoffeeProtocolError: when the answer has not one result per
            item
        """
        _check_resource(resource)
        items = list(items)
        if not 1 <= len(items) <= MAX_BULK:
            raise ValueError(
                f"A bulk request takes 1 to {MAX_BULK} items, not {len(items)}."
            )
        body = self.request("POST", f"/{resource}/bulk", json_body={"items": items})
        results = body.get("items")
        if (
            not isinstance(results, list)
            or len(results) != len(items)
            or not all(isinstance(result, dict) for result in results)
        ):
            raise CoffeeProtocolError(
                f"POST {self.api_path}/{resource}/bulk answered no result for "
                "each of its items."
            )
        return results

    def delete(self, resource, record_id):
        """Delete a record.

        :param resource: users
        :param record_id: the id on the machine
        :return: an empty dict
        """
        _check_resource(resource)
        return self.request("DELETE", f"/{resource}/{_check_id(record_id)}")

    def create_brew(self, values, idempotency_key):
        """Ask the machine to pour a beverage.

        The same idempotency key always answers the same brew and never pours
        twice, so the call can be retried safely.

        :param values: dict with machine_id, beverage_id and optional user_id
        :param idempotency_key: a unique key per pour request (required)
        :return: the brew dict, state ``queued`` when new
        """
        if not idempotency_key or not str(idempotency_key).strip():
            raise ValueError("An idempotency key is required to pour a brew.")
        return self.create("brews", values, idempotency_key=idempotency_key)
