# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP layer of the coffee machine simulator.

:class:`SimulatorApp` routes a request to its endpoint (``werkzeug.routing``)
and answers a :data:`Response`; :class:`RequestHandler` and
:class:`SimulatorHTTPServer` (the standard library's threading HTTP server)
put it on the wire (HTTP/1.1 keep-alive, Content-Length always set).
"""

import base64
import binascii
import hmac
import json
import logging
import re
import socket
import sys
import threading
from collections import namedtuple
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, RequestRedirect, Rule

from .schema import (
    API_PREFIX,
    MAX_ID,
    NOT_BLANK_RE,
    RESOURCES,
    ApiError,
    parse_date_time,
)

_logger = logging.getLogger(__name__)

MAX_PER_PAGE = 500
#: the most record ids a list filters on (``?ids=1,2,3``)
MAX_IDS = 500
MAX_PAGE = 10**9
#: an integer in a query string or a path: ASCII digits, no sign but ``-``;
#: more than 30 significant digits are out of every range anyway
INTEGER_RE = re.compile(r"-?0*[0-9]{1,30}")
MAX_BODY = 1024 * 1024
MAX_KEY_LENGTH = 255
FAULT_RETRY_AFTER = "1"
MALFORMED_BODY = b'{"items": [{"id": 1, "name": "Espresso'

Response = namedtuple("Response", ["status", "body", "headers", "drop"])
#: the endpoint of a rule: ``template`` names the counter of its requests
Route = namedtuple("Route", ["method", "template", "endpoint", "admin"])
#: the order of the methods in an ``Allow`` header
METHOD_ORDER = ("GET", "POST", "PUT", "DELETE")
#: the methods HTTP defines (RFC 9110 and PATCH)
HTTP_METHODS = (
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
)  # fmt: skip

#: (method, path below /api/v1, endpoint): the API v1 served by the simulator
API_ROUTES = (
    ("GET", "/status", "status"),
    ("GET", "/machines", "list"),
    ("GET", "/machines/{id}", "read"),
    ("GET", "/beverages", "list"),
    ("GET", "/beverages/{id}", "read"),
    ("PUT", "/beverages/{id}", "write_beverage"),
    ("GET", "/users", "list"),
    ("POST", "/users", "create_user"),
    ("POST", "/users/bulk", "bulk_users"),
    ("GET", "/users/{id}", "read"),
    ("PUT", "/users/{id}", "write_user"),
    ("DELETE", "/users/{id}", "delete_user"),
    ("GET", "/brews", "list"),
    ("POST", "/brews", "create_brew"),
    ("GET", "/brews/{id}", "read"),
    ("GET", "/webhook", "get_webhook"),
    ("PUT", "/webhook", "set_webhook"),
)

#: the webhook URLs PUT /webhook takes (as in the OpenAPI document)
WEBHOOK_URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$"

#: endpoint -> the query parameters it takes (any other answers 422)
QUERY_PARAMETERS = {"list": ("page", "per_page", "updated_since", "ids")}

#: (method, path, endpoint): the control endpoints of the simulator
ADMIN_ROUTES = (
    ("GET", "/admin/counters", "admin_counters"),
    ("POST", "/admin/counters/reset", "admin_reset_counters"),
    ("GET", "/admin/faults", "admin_get_faults"),
    ("PUT", "/admin/faults", "admin_set_faults"),
    ("POST", "/admin/fail-next", "admin_fail_next"),
    ("POST", "/admin/advance", "admin_advance"),
    ("PUT", "/admin/webhook", "admin_webhook"),
    ("GET", "/admin/records/{resource}", "admin_records"),
    ("POST", "/admin/records/{resource}", "admin_add_record"),
    ("PUT", "/admin/records/{resource}/{id}", "admin_update_record"),
)


class _MethodRule(Rule):
    """A rule for its methods only (werkzeug also gives GET rules HEAD)."""

    def __init__(self, string, **options):
        super().__init__(string, **options)
        self.methods.discard("HEAD")


class _SegmentConverter(BaseConverter):
    """A path argument: one segment, but not the name of a sibling path.

    ``/users/bulk`` is a path of its own: a method it does not serve answers
    405, not the 404 of a user whose id would be ``bulk``.
    """

    regex = r"(?!bulk\Z)[^/]+"


def _rule(method, template, endpoint, admin):
    """Build the werkzeug rule of a route; ``{name}`` is a path argument."""
    return _MethodRule(
        re.sub(r"\{(\w+)\}", r"<segment:\1>", template),
        methods=[method],
        endpoint=Route(method, template, endpoint, admin),
    )


#: every route of the simulator; a path argument matches one segment
ROUTING = Map(
    [
        _rule(method, API_PREFIX + template, endpoint, False)
        for method, template, endpoint in API_ROUTES
    ]
    + [_rule(*route, True) for route in ADMIN_ROUTES],
    merge_slashes=False,
    converters={"segment": _SegmentConverter},
)


def json_response(status, payload, headers=None):
    """Build a JSON :data:`Response`.

    :param payload: a dict, a JSON text, or None for an empty body
    """
    if payload is None:
        body = b""
    elif isinstance(payload, str):
        body = payload.encode("utf-8")
    else:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, dict(headers or {}), False)


def error_response(error):
    """Build the :data:`Response` of an :class:`ApiError`."""
    return json_response(error.status, error.body(), error.headers)


def _no_constant(name):
    """Refuse the NaN and Infinity that Python's JSON parser would accept."""
    raise ValueError(f"{name} is not JSON")


class RequestContext:
    """What an endpoint needs to know about a request.

    :param method: HTTP method
    :param path: normalized path
    :param params: dict name -> list of the values of the query string
    :param headers: the request headers (case-insensitive mapping)
    :param body: raw body bytes
    :param args: path arguments of the route
    """

    def __init__(self, method, path, params, headers, body, args):
        self.method = method
        self.path = path
        self.params = params
        self.headers = headers
        self.body = body
        self.args = args
        self.duplicate = False

    def json(self):
        """Decode the body as a JSON object.

        A body without a Content-Type is read as JSON; another media type
        than ``application/json`` is refused.

        :return: the dict
        :raise ApiError: 415 for another media type, 400 for a missing or
            invalid body
        """
        content_type = self.headers.get("Content-Type")
        if content_type is not None:
            media_type = content_type.partition(";")[0].strip().lower()
            if media_type != "application/json":
                raise ApiError(
                    415,
                    "unsupported_media_type",
                    f"the request body must be application/json, not {media_type!r}",
                )
        if not self.body.strip():
            raise ApiError(
                400, "invalid_json", "the request body must be a JSON object"
            )
        try:
            value = json.loads(self.body.decode("utf-8"), parse_constant=_no_constant)
            # a lone surrogate (\ud800) is no text: refuse what cannot be stored
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except (UnicodeError, ValueError):
            raise ApiError(
                400, "invalid_json", "the request body is not valid JSON"
            ) from None
        if not isinstance(value, dict):
            raise ApiError(
                400, "invalid_json", "the request body must be a JSON object"
            )
        return value

    def record_id(self):
        """Return the ``{id}`` path argument as int.

        :raise ApiError: 404 when it is not a positive integer
        """
        text = self.args.get("id", "")
        value = parse_int(text)
        if value is None or not 1 <= value <= MAX_ID:
            raise ApiError(404, "not_found", f"{text!r} is not a valid record id")
        return value

    def resource(self):
        """Return the resource of the path (``/api/v1/<resource>...``)."""
        name = self.args.get("resource") or self.path[len(API_PREFIX) :].split("/")[1]
        if name not in RESOURCES:
            raise ApiError(404, "not_found", f"unknown resource {name!r}")
        return name


def parse_int(text):
    """Return the integer a query or path text spells, or None.

    :param text: ASCII digits with an optional ``-`` (no ``+``, no spaces)
    """
    match = INTEGER_RE.fullmatch(text)
    return int(text) if match else None


def _single_param(params, name, errors):
    """Return the one value of a query parameter (None when absent)."""
    values = params.get(name) or [None]
    if len(values) > 1:
        errors[name] = "given more than once"
        return None
    return values[0]


def _int_param(params, name, default, low, high, errors):
    """Read an integer query parameter within bounds into ``errors``."""
    text = _single_param(params, name, errors)
    if text is None:
        return default
    value = parse_int(text)
    if value is None or not low <= value <= high:
        errors[name] = f"an integer between {low} and {high}"
        return default
    return value


def _ids_param(params, errors):
    """Read the ``ids`` query parameter: ``1,2,3``, at most 500 ids.

    :return: the set of ids, or None when absent
    """
    text = _single_param(params, "ids", errors)
    if text is None:
        return None
    values = [parse_int(part) for part in text.split(",")]
    if (
        not 1 <= len(values) <= MAX_IDS
        or None in values
        or not all(1 <= value <= MAX_ID for value in values)
    ):
        errors["ids"] = (
            f"1 to {MAX_IDS} record ids (integers from 1), separated by commas"
        )
        return None
    return frozenset(values)


def parse_list_params(params):
    """Validate the query of a list request.

    An empty value is as invalid as any other value that is not of the
    parameter's type (``?updated_since=`` is not a date-time).

    :param params: dict name -> list of the values of the query string
    :return: (page, per_page, updated_since or None, ids or None)
    :raise ApiError: 422 with field errors
    """
    errors = {}
    page = _int_param(params, "page", 1, 1, MAX_PAGE, errors)
    per_page = _int_param(params, "per_page", 100, 1, MAX_PER_PAGE, errors)
    since = _single_param(params, "updated_since", errors)
    if since is not None:
        try:
            since = parse_date_time(since)
        except ValueError:
            errors["updated_since"] = (
                "an RFC 3339 date-time with its offset, e.g. 2026-01-01T00:00:00Z"
                " (a + in the query string is written %2B)"
            )
    ids = _ids_param(params, errors)
    if errors:
        raise ApiError(422, "validation_error", "invalid query parameters", errors)
    return page, per_page, since, ids


class SimulatorApp:
    """Routes the requests of the simulator to their endpoints.

    :param simulator: the :class:`~.simulator.CoffeeSimulator`
    """

    def __init__(self, simulator):
        self.sim = simulator

    # -- plumbing ----------------------------------------------------------

    @staticmethod
    def _route(method, path):
        """Find the route of a request.

        :return: (:data:`Route`, dict of the path arguments)
        :raise ApiError: 404 for an unknown path, 405 for a wrong method
        """
        try:
            return ROUTING.bind("coffee-machine").match(path, method=method)
        except MethodNotAllowed as exc:
            valid = exc.valid_methods or ()
            allowed = [name for name in METHOD_ORDER if name in valid]
            raise ApiError(
                405,
                "method_not_allowed",
                f"{method} is not allowed on {path}; use {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            ) from None
        except (NotFound, RequestRedirect):
            raise ApiError(404, "not_found", f"no such endpoint: {path}") from None

    @staticmethod
    def _check_query(route, params):
        """Refuse the query parameters an API endpoint does not take.

        :raise ApiError: 422 naming them
        """
        unknown = sorted(set(params) - set(QUERY_PARAMETERS.get(route.endpoint, ())))
        if unknown:
            raise ApiError(
                422,
                "validation_error",
                "unknown query parameters",
                dict.fromkeys(unknown, "unknown query parameter"),
            )

    def _check_auth(self, headers, route, method):
        """Check the Authorization header.

        :raise ApiError: 401 without valid credentials, 403 when a read-only
            key writes or controls
        """
        header = headers.get("Authorization") or ""
        scheme, _sep, value = header.strip().partition(" ")
        sim = self.sim
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip().encode("utf-8")
            if sim.api_key and hmac.compare_digest(token, sim.api_key.encode()):
                return
            if sim.readonly_api_key and hmac.compare_digest(
                token, sim.readonly_api_key.encode()
            ):
                if method == "GET" and not route.admin:
                    return
                raise ApiError(403, "forbidden", "this API key is read-only")
        elif scheme.lower() == "basic" and self._basic_ok(value.strip()):
            return
        raise ApiError(
            401,
            "unauthorized",
            "invalid credentials",
            headers={"WWW-Authenticate": 'Basic realm="coffee", Bearer'},
        )

    def _basic_ok(self, value):
        """Tell whether Basic credentials match."""
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        expected = f"{self.sim.username}:{self.sim.password}".encode()
        return bool(self.sim.username) and hmac.compare_digest(decoded, expected)

    def _fault_response(self, kind):
        """Build the answer of an injected fault (None: no answer change)."""
        if kind == "drop":
            return Response(0, b"", {}, True)
        if kind == "500":
            error = ApiError(500, "internal_error", "simulated internal error")
        elif kind == "503":
            error = ApiError(
                503,
                "service_unavailable",
                "simulated temporary unavailability",
                headers={"Retry-After": FAULT_RETRY_AFTER},
            )
        elif kind == "429":
            error = ApiError(
                429,
                "rate_limited",
                "too many requests",
                headers={"Retry-After": FAULT_RETRY_AFTER},
            )
        elif kind == "malformed":
            return Response(200, MALFORMED_BODY, {}, False)
        else:
            return None
        return error_response(error)

    def _can_duplicate(self, route, ctx):
        """Tell whether the duplicate fault may apply to the request."""
        if route.endpoint != "list" or route.admin:
            return False
        try:
            page, per_page, since, ids = parse_list_params(ctx.params)
        except ApiError:
            return False
        if ids is not None:
            return False
        return self.sim.store.can_duplicate(ctx.resource(), page, per_page, since)

    def _apply_faults(self, route, ctx):
        """Apply the faults of an API request; return a Response or None."""
        fault = self.sim.faults.pick(
            ctx.method, ctx.path, can_duplicate=self._can_duplicate(route, ctx)
        )
        if fault.kind is None:
            return None
        self.sim.count_fault(fault.kind)
        if fault.delay:
            self.sim.sleep(fault.delay)
        if fault.kind == "duplicate":
            ctx.duplicate = True
            return None
        return self._fault_response(fault.kind)

    def handle(self, method, target, headers, body):
        """Answer one request.

        :param method: HTTP method
        :param target: request target (path and query)
        :param headers: request headers
        :param body: raw body bytes
        :return: a :data:`Response`
        """
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        is_api = path == API_PREFIX or path.startswith(API_PREFIX + "/")
        try:
            params = parse_qs(parts.query, keep_blank_values=True)
            if is_api:
                self.sim.count("total")
            route, args = self._route(method, path)
            ctx = RequestContext(method, path, params, headers, body, args)
            if not route.admin:
                self.sim.count(f"{method} {route.template[len(API_PREFIX) :]}")
                faulty = self._apply_faults(route, ctx)
                if faulty is not None:
                    return faulty
            self._check_auth(headers, route, method)
            if not route.admin:
                self._check_query(route, ctx.params)
            return getattr(self, f"ep_{route.endpoint}")(ctx)
        except ApiError as error:
            return error_response(error)

    # -- API v1 ------------------------------------------------------------

    def ep_status(self, ctx):
        """GET /status."""
        return json_response(
            200,
            {
                "api_version": "1",
                "server_time": self.sim.store.now(),
                "name": "coffee machine simulator",
            },
        )

    def ep_list(self, ctx):
        """GET /<resource>: a page of records ordered by id."""
        page, per_page, since, ids = parse_list_params(ctx.params)
        text = self.sim.store.list_page(
            ctx.resource(), page, per_page, since, duplicate=ctx.duplicate, ids=ids
        )
        return json_response(200, text)

    def ep_read(self, ctx):
        """GET /<resource>/<id>."""
        return json_response(
            200, self.sim.store.record_json(ctx.resource(), ctx.record_id())
        )

    def ep_write_beverage(self, ctx):
        """PUT /beverages/<id> (price, active)."""
        record_id = ctx.record_id()
        self.sim.store.get("beverages", record_id)
        return json_response(200, self.sim.store.write_beverage(record_id, ctx.json()))

    def ep_create_user(self, ctx):
        """POST /users."""
        return json_response(201, self.sim.store.create_user(ctx.json()))

    def ep_bulk_users(self, ctx):
        """POST /users/bulk: create or update many users, one result each."""
        return json_response(200, {"items": self.sim.store.bulk_users(ctx.json())})

    def ep_write_user(self, ctx):
        """PUT /users/<id>."""
        record_id = ctx.record_id()
        self.sim.store.get("users", record_id)
        return json_response(200, self.sim.store.write_user(record_id, ctx.json()))

    def ep_delete_user(self, ctx):
        """DELETE /users/<id>."""
        self.sim.store.delete("users", ctx.record_id())
        return json_response(204, None)

    def ep_get_webhook(self, ctx):
        """GET /webhook: where the events go, and how the last delivery
        there went (never the secret)."""
        return json_response(200, self.sim.webhook_target())

    def ep_set_webhook(self, ctx):
        """PUT /webhook {url, secret}: where to send the events, and their
        secret (both null: send none)."""
        values = ctx.json()
        errors = {}
        for name in sorted(set(values) ^ {"url", "secret"}):
            errors[name] = "unknown field" if name in values else "required"
        url, secret = values.get("url"), values.get("secret")
        if url is not None and not (
            isinstance(url, str) and re.search(WEBHOOK_URL_PATTERN, url)
        ):
            errors["url"] = "an http(s) URL"
        if secret is not None and not (
            isinstance(secret, str) and 16 <= len(secret) <= 255
        ):
            errors["secret"] = "16 to 255 characters"
        if errors:
            raise ApiError(422, "validation_error", "invalid webhook", errors)
        self.sim.set_webhook(url, secret)
        return json_response(200, {"url": url})

    def ep_create_brew(self, ctx):
        """POST /brews with an Idempotency-Key header."""
        # the value as received (the HTTP parser drops the spaces before it)
        key = ctx.headers.get("Idempotency-Key") or ""
        if not NOT_BLANK_RE.search(key):
            raise ApiError(
                400,
                "idempotency_key_required",
                "the Idempotency-Key header is required to pour a brew",
            )
        if len(key) > MAX_KEY_LENGTH:
            raise ApiError(
                400,
                "invalid_idempotency_key",
                f"the Idempotency-Key header is longer than {MAX_KEY_LENGTH}",
            )
        brew, created = self.sim.store.create_brew(ctx.json(), key)
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return json_response(202, brew, headers)

    # -- admin ---------------------------------------------------------------

    def ep_admin_counters(self, ctx):
        """GET /admin/counters."""
        return json_response(200, self.sim.counters())

    def ep_admin_reset_counters(self, ctx):
        """POST /admin/counters/reset."""
        self.sim.reset_counters()
        return json_response(200, self.sim.counters())

    def ep_admin_get_faults(self, ctx):
        """GET /admin/faults."""
        faults = self.sim.faults
        return json_response(200, {"spec": faults.spec, "pending": faults.pending()})

    def ep_admin_set_faults(self, ctx):
        """PUT /admin/faults {"spec": "503:0.1,..."}."""
        values = ctx.json()
        try:
            self.sim.set_faults(values.get("spec") or "")
        except (TypeError, ValueError) as exc:
            raise ApiError(
                422, "validation_error", "invalid fault spec", {"spec": str(exc)}
            ) from None
        return self.ep_admin_get_faults(ctx)

    def ep_admin_fail_next(self, ctx):
        """POST /admin/fail-next {kind, count, path, method, delay}."""
        values = ctx.json()
        try:
            self.sim.fail_next(
                values.get("kind"),
                count=values.get("count", 1),
                path=values.get("path"),
                method=values.get("method"),
                delay=values.get("delay"),
            )
        except (TypeError, ValueError) as exc:
            raise ApiError(
                422, "validation_error", "invalid fault", {"kind": str(exc)}
            ) from None
        return self.ep_admin_get_faults(ctx)

    def ep_admin_advance(self, ctx):
        """POST /admin/advance {"steps": 2}."""
        values = ctx.json() if ctx.body.strip() else {}
        steps = values.get("steps", 2)
        if (
            not isinstance(steps, int)
            or isinstance(steps, bool)
            or not 0 <= steps <= 100
        ):
            raise ApiError(
                422, "validation_error", "invalid steps", {"steps": "0 to 100"}
            )
        return json_response(200, self.sim.advance_brews(steps))

    def ep_admin_webhook(self, ctx):
        """PUT /admin/webhook {url, secret, batch}."""
        values = ctx.json()
        try:
            self.sim.set_webhook(
                values.get("url"), values.get("secret"), values.get("batch", 1)
            )
        except ValueError as exc:
            raise ApiError(
                422, "validation_error", "invalid webhook", {"url": str(exc)}
            ) from None
        return json_response(200, {"url": values.get("url")})

    def ep_admin_records(self, ctx):
        """GET /admin/records/<resource>: every record, unpaged."""
        return json_response(200, {"items": self.sim.records(ctx.resource())})

    def ep_admin_add_record(self, ctx):
        """POST /admin/records/<resource>: create server-side."""
        resource, values = ctx.resource(), ctx.json()
        try:
            return json_response(201, self.sim.add_record(resource, **values))
        except (TypeError, ValueError) as exc:
            raise ApiError(
                422, "validation_error", str(exc), {"values": str(exc)}
            ) from None

    def ep_admin_update_record(self, ctx):
        """PUT /admin/records/<resource>/<id>: change server-side."""
        resource, record_id, values = ctx.resource(), ctx.record_id(), ctx.json()
        try:
            return json_response(
                200, self.sim.update_record(resource, record_id, **values)
            )
        except (TypeError, ValueError) as exc:
            raise ApiError(
                422, "validation_error", str(exc), {"values": str(exc)}
            ) from None


class RequestHandler(BaseHTTPRequestHandler):
    """Puts the answers of :class:`SimulatorApp` on the wire."""

    protocol_version = "HTTP/1.1"
    server_version = "CoffeeMachineSimulator/1.0"
    timeout = 60
    disable_nagle_algorithm = True  # headers and body leave without delay

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Log requests at debug level instead of stderr."""
        _logger.debug("%s %s", self.address_string(), format % args)

    def send_error(self, code, message=None, explain=None):
        """Answer a JSON error for the failures detected by http.server.

        :param code: HTTP status (501 unknown method becomes 405)
        :param message: short message
        :param explain: unused
        """
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code, message = HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed"
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        self.close_connection = True
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        error = ApiError(int(code), f"http_{int(code)}", message or phrase)
        self._write(error_response(error))

    def _read_body(self):
        """Read the request body; answer an error and return None if bad."""
        if self.headers.get("Transfer-Encoding"):
            self.send_error(411, "Content-Length required (no chunked bodies)")
            return None
        length_text = (self.headers.get("Content-Length") or "0").strip()
        if not length_text.isdigit():
            self.send_error(400, "invalid Content-Length")
            return None
        length = int(length_text)
        if length > MAX_BODY:
            self.send_error(413, f"request body larger than {MAX_BODY} bytes")
            return None
        return self.rfile.read(length) if length else b""

    def _write(self, response):
        """Send a :data:`Response` with its Content-Length."""
        self.send_response(response.status)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update(response.headers)
        for name, value in headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.status not in (204, 304):
            self.wfile.write(response.body)
        self.wfile.flush()

    def _dispatch(self):
        """Handle one request of any method."""
        try:
            body = self._read_body()
            if body is None:
                return
            response = self.server.app.handle(
                self.command, self.path, self.headers, body
            )
            if response.drop:
                self.close_connection = True
                return
            self._write(response)
        except OSError as exc:
            _logger.debug("client connection lost: %s", exc)
            self.close_connection = True
        except Exception:  # pylint: disable=broad-except
            _logger.exception("simulator error on %s %s", self.command, self.path)
            self.close_connection = True
            self._write(
                error_response(ApiError(500, "internal_error", "unexpected error"))
            )

    def __getattr__(self, name):
        """Route every method (``do_GET``, ``do_TRACE``, ``do_BREW``) to the app.

        The app answers 405 with an ``Allow`` header for the methods a path
        does not serve, whatever the method; after a method that HTTP does
        not define, the connection closes.
        """
        if not name.startswith("do_"):
            raise AttributeError(name)
        if name[3:] in HTTP_METHODS:
            return self._dispatch
        return self._dispatch_and_close

    def _dispatch_and_close(self):
        """Handle one request, then close the connection."""
        self.close_connection = True
        self._dispatch()


class SimulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that can close its open connections.

    :param address: (host, port)
    :param app: the :class:`SimulatorApp`
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, app):
        self.app = app
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, RequestHandler)

    def process_request(self, request, client_address):
        """Track and count the connection, then serve it in a thread."""
        with self._connections_lock:
            self._connections.add(request)
        self.app.sim.count("connections")
        return super().process_request(request, client_address)

    def shutdown_request(self, request):
        """Forget the connection, then close it."""
        with self._connections_lock:
            self._connections.discard(request)
        return super().shutdown_request(request)

    def close_connections(self):
        """Shut down every open client connection (at stop)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError as exc:
                _logger.debug("closing a connection: %s", exc)

    def handle_error(self, request, client_address):
        """Log handler errors instead of printing them."""
        _logger.debug("connection error with %s: %r", client_address, sys.exc_info()[1])
