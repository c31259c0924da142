# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exceptions raised by :class:`~.client.CoffeeClient`.

Two families: :class:`CoffeeRetryableError` (transient, worth retrying later,
e.g. from a queue job) and :class:`CoffeePermanentError` (retrying the same
request will fail again). Messages name the request and tell the user what to
do; they never contain credentials.
"""

import json

GENERIC_HINTS = {
    400: "The request was rejected by the machine; this is a connector bug.",
    401: "Check the username/password or API key of the backend.",
    403: "The credentials of the backend are not allowed to do this.",
    404: "The record may have been deleted on the machine.",
    408: "The machine timed out; the request will be retried later.",
    409: "The request conflicts with an earlier one on the machine.",
    418: "Choose another machine: this machine is a teapot and cannot brew coffee.",
    422: "Correct the values sent to the machine.",
    429: "The machine is rate limiting; the request will be retried later.",
    503: "The machine is busy or unavailable; the request will be retried later.",
}


class CoffeeError(Exception):
    """Base class of every error raised by the coffee machine client.

    :param message: a human readable message (no credentials)
    :param status: the HTTP status of the answer, or None
    :param code: the API error code (``error.code`` of the body), or None
    """

    retryable = False

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self):
        return self.message


class CoffeeRetryableError(CoffeeError):
    """A transient error: the same request may succeed later.

    :param retry_after: seconds to wait before retrying, or None if unknown
    """

    retryable = True

    def __init__(self, message, status=None, code=None, retry_after=None):
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class CoffeeTimeoutError(CoffeeRetryableError):
    """The machine did not answer within the timeout."""


class CoffeeConnectionError(CoffeeRetryableError):
    """The machine could not be reached or dropped the connection."""


class CoffeeServerError(CoffeeRetryableError):
    """The machine answered with a 5xx server error."""


class CoffeeRateLimitError(CoffeeRetryableError):
    """The machine answered 429 Too Many Requests."""


class CoffeeMachineBusyError(CoffeeRetryableError):
    """The machine answered 503: busy, in maintenance or unavailable."""


class CoffeeProtocolError(CoffeeRetryableError):
    """The machine answered a body that is not the expected JSON."""


class CoffeePermanentError(CoffeeError):
    """An error that retrying the same request will not fix."""


class CoffeeConfigurationError(CoffeePermanentError):
    """The backend configuration (location URL, credentials) is unusable."""


class CoffeeBadRequestError(CoffeePermanentError):
    """The machine answered 400 Bad Request."""


class CoffeeAuthError(CoffeePermanentError):
    """The machine answered 401 Unauthorized or 403 Forbidden."""


class CoffeeNotFoundError(CoffeePermanentError):
    """The machine answered 404 Not Found."""


class CoffeeConflictError(CoffeePermanentError):
    """The machine answered 409 Conflict."""


class CoffeeValidationError(CoffeePermanentError):
    """The machine answered 422: some values are invalid.

    :param errors: dict field name -> message
    """

    def __init__(self, message, status=None, code=None, errors=None):
        super().__init__(message, status=status, code=code)
        self.errors = dict(errors or {})


class CoffeeTeapotError(CoffeePermanentError):
    """The machine answered 418: it is a teapot and cannot brew coffee."""


STATUS_CLASSES = {
    400: CoffeeBadRequestError,
    401: CoffeeAuthError,
    403: CoffeeAuthError,
    404: CoffeeNotFoundError,
    408: CoffeeTimeoutError,
    409: CoffeeConflictError,
    418: CoffeeTeapotError,
    422: CoffeeValidationError,
    429: CoffeeRateLimitError,
    503: CoffeeMachineBusyError,
}


def parse_retry_after(value):
    """Parse a ``Retry-After`` header given in seconds.

    :param value: the header value or None
    :return: the delay in seconds as a float, or None (absent or an HTTP date)
    """
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    return max(seconds, 0.0)


def _error_body(response):
    """Return the ``error`` object of a JSON error body, or an empty dict.

    :param response: a ``requests.Response``
    :return: dict with the optional keys ``code``, ``message`` and ``fields``
    """
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return {}


def format_field_errors(errors):
    """Render field errors readably.

    :param errors: dict field name -> message
    :return: a string like ``email: invalid address; name: required``
    """
    return "; ".join(f"{field}: {msg}" for field, msg in sorted(errors.items()))


def _build_message(request_line, status, reason, server_message, status_class):
    """Compose the message of an HTTP error.

    :return: the message, ending with a hint of what to do
    """
    message = f"{request_line} answered {status} {reason}".rstrip()
    if server_message:
        message = f"{message}: {server_message.rstrip('.')}"
    hint = GENERIC_HINTS.get(status)
    if status_class is CoffeeTeapotError:
        hint = GENERIC_HINTS[418]
    elif status >= 500 and hint is None:
        hint = "The machine had an internal error; the request will be retried later."
    return f"{message}. {hint}" if hint else f"{message}."


def error_from_response(method, url_path, response, scrub=None):
    """Build the typed exception for an HTTP error answer.

    :param method: the HTTP method of the request, e.g. ``GET``
    :param url_path: the path of the request, e.g. ``/api/v1/brews``
    :param response: the ``requests.Response`` with a status >= 400
    :param scrub: optional callable removing secrets from a text
    :return: an instance of a :class:`CoffeeError` subclass (not raised)
    """
    status = response.status_code
    error = _error_body(response)
    code = error.get("code") if isinstance(error.get("code"), str) else None
    server_message = error.get("message")
    server_message = str(server_message) if server_message else ""
    fields = error.get("fields") if isinstance(error.get("fields"), dict) else {}
    fields = {str(key): str(value) for key, value in fields.items()}
    if fields:
        server_message = f"{server_message} ({format_field_errors(fields)})".strip()
    if status >= 500 and status != 503:
        error_class = CoffeeServerError
    else:
        error_class = STATUS_CLASSES.get(status, CoffeePermanentError)
    reason = response.reason or ""
    message = _build_message(
        f"{method} {url_path}", status, reason, server_message, error_class
    )
    if scrub is not None:
        message = scrub(message)
    if issubclass(error_class, CoffeeRetryableError):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error_class(message, status=status, code=code, retry_after=retry_after)
    if error_class is CoffeeValidationError:
        return error_class(message, status=status, code=code, errors=fields)
    return error_class(message, status=status, code=code)
