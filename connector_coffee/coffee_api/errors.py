# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exceptions raised by :class:`~.client.CoffeeClient`.

Two families: :class:`CoffeeRetryableError` (transient, worth retrying later,
e.g. from a queue job) and :class:`CoffeePermanentError` (retrying the same
request will fail again). Messages name the request and tell the user what to
do; they never contain credentials: what a machine or a library wrote (a
reason phrase, an error message, field errors) goes through a
:class:`SecretMask` before a message quotes it.
"""

import base64
import json
from urllib.parse import quote, quote_plus

#: what replaces a secret in a message
SECRET_MASK = "********"
#: a text quoting a secret form shorter than this is withheld as a whole:
#: masked in place, a short secret (a common word, a few letters) would show
#: what it is by where the masks fall
MASK_IN_PLACE_LENGTH = 8
#: what replaces a text withheld for quoting a short secret
WITHHELD = "(withheld: it quoted a credential)"

GENERIC_HINTS = {
    400: "The request was rejected by the machine; this is a connector bug.",
    401: "Check the username/password or API key of the backend.",
    403: "The credentials of the backend are not allowed to do this.",
    404: "The record may have been deleted on the machine.",
    408: "The machine timed out.",
    409: "The request conflicts with an earlier one on the machine.",
    418: "Choose another machine: this machine is a teapot and cannot brew coffee.",
    422: "Correct the values sent to the machine.",
    429: "The machine is rate limiting: too many requests.",
    503: "The machine is busy or unavailable.",
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


def secret_forms(secret):
    """The forms in which a text may quote a secret.

    As is, escaped as in a Python ``repr`` (``\\n`` for a line break, with
    either quote escaped), as in JSON, and URL-encoded (with either case of
    hexadecimal digits).

    :param secret: a string
    :return: a set of non-empty strings
    """
    raw = str(secret)
    inner = repr(raw)[1:-1]
    forms = {
        raw,
        inner,
        inner.replace("'", "\\'"),
        inner.replace('"', '\\"'),
        ascii(raw)[1:-1],
        repr(raw.encode())[2:-1],
        json.dumps(raw)[1:-1],
        json.dumps(raw, ensure_ascii=False)[1:-1],
    }
    for encoded in (quote(raw, safe=""), quote(raw), quote_plus(raw)):
        forms.add(encoded)
        forms.add(_lower_percent_escapes(encoded))
    forms.discard("")
    return forms


def _lower_percent_escapes(text):
    """``a%2Fb`` -> ``a%2fb``: the other spelling of URL-encoded bytes."""
    parts = text.split("%")
    return parts[0] + "".join("%" + p[:2].lower() + p[2:] for p in parts[1:])


def basic_credentials(username, password):
    """The value of an HTTP Basic ``Authorization`` header, after ``Basic``.

    :param username: the user name or None
    :param password: the password or None
    :return: ``base64(username:password)`` as a string
    """
    raw = f"{username or ''}:{password or ''}".encode()
    return base64.b64encode(raw).decode("ascii")


class SecretMask:
    """Masks secrets in the texts an error message may quote.

    Every form of each secret (see :func:`secret_forms`) and each extra
    value given as is (such as the Basic ``Authorization`` value) is masked,
    wherever it occurs, whatever its length. A text in which a form shorter
    than :data:`MASK_IN_PLACE_LENGTH` occurs is withheld as a whole instead.

    Apply it to what comes from outside (a machine's answer, a library's
    exception text), not to the client's own wording: a short password that
    happens to be a word of the client's message is no leak, but masking it
    there would point at it.

    :param secrets: the secrets (None and empty ones are ignored)
    :param extra: values masked as they are, e.g. encoded credentials
    """

    def __init__(self, secrets=(), extra=()):
        forms = set()
        for secret in secrets:
            if secret:
                forms |= secret_forms(secret)
        forms |= {str(value) for value in extra if value}
        # the longest first: a form may contain a shorter one
        self.forms = sorted(forms, key=lambda form: (-len(form), form))

    def __call__(self, text):
        """Return ``text`` with the secrets masked, or withheld.

        :param text: a string (or anything, turned into one), or None
        :return: the masked text (None and "" as given)
        """
        if text is None or text == "" or not self.forms:
            return text
        text = str(text)
        found = [form for form in self.forms if form in text]
        if not found:
            return text
        if min(len(form) for form in found) < MASK_IN_PLACE_LENGTH:
            return WITHHELD
        for form in found:
            text = text.replace(form, SECRET_MASK)
        return text


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
        hint = "The machine had an internal error."
    return f"{message}. {hint}" if hint else f"{message}."


def error_from_response(method, url_path, response, scrub=None):
    """Build the typed exception for an HTTP error answer.

    :param method: the HTTP method of the request, e.g. ``GET``
    :param url_path: the path of the request, e.g. ``/api/v1/brews``
    :param response: the ``requests.Response`` with a status >= 400
    :param scrub: callable removing secrets from a text (such as a
        :class:`SecretMask`), applied to everything the machine answered
    :return: an instance of a :class:`CoffeeError` subclass (not raised)
    """
    if scrub is None:
        scrub = SecretMask()
    status = response.status_code
    error = _error_body(response)
    code = scrub(error.get("code")) if isinstance(error.get("code"), str) else None
    server_message = error.get("message")
    server_message = scrub(str(server_message)) if server_message else ""
    fields = error.get("fields") if isinstance(error.get("fields"), dict) else {}
    fields = {scrub(str(key)): scrub(str(value)) for key, value in fields.items()}
    if fields:
        server_message = f"{server_message} ({format_field_errors(fields)})".strip()
    if status >= 500 and status != 503:
        error_class = CoffeeServerError
    else:
        error_class = STATUS_CLASSES.get(status, CoffeePermanentError)
    reason = scrub(response.reason or "")
    message = _build_message(
        f"{method} {url_path}", status, reason, server_message, error_class
    )
    if issubclass(error_class, CoffeeRetryableError):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error_class(message, status=status, code=code, retry_after=retry_after)
    if error_class is CoffeeValidationError:
        return error_class(message, status=status, code=code, errors=fields)
    return error_class(message, status=status, code=code)
