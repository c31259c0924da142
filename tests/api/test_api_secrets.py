# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The client's secrets never leave it, even through a machine that echoes them.

A tiny HTTP server on 127.0.0.1 answers every request with an error that
quotes the request's headers: in its error message, field errors, error code
and reason phrase, in an HTML page, or in a status line the client cannot
parse. Whatever the length of the password or API key, neither they (as is,
``repr``-escaped, URL-encoded) nor the Basic ``Authorization`` value show in
the error, its ``repr``, its chained exceptions, its traceback or the logs.
"""

import base64
import json
import logging
import socket
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus

import pytest
from coffee_api import (
    CoffeeAuthError,
    CoffeeClient,
    CoffeeConfigurationError,
    CoffeeConnectionError,
    CoffeeError,
    CoffeeServerError,
    CoffeeValidationError,
)
from coffee_api.client import is_local_location
from coffee_api.errors import SECRET_MASK, WITHHELD, SecretMask

USERNAME = "barista"

#: (kind, secret): the credentials the client is given, short and long
CREDENTIALS = [
    ("password", "Zx9Qw"),  # five characters
    ("password", 'p"\\5\n'),  # five characters, escaped by repr and URLs
    ("password", "Pa55 word/with+signs&more"),
    ("api_key", "Kq+/7"),
    ("api_key", "api-key/with+signs=and-more"),
]

#: what the echoing machine answers: HTTP status, or a special answer
ANSWERS = ("401", "500", "422", "html", "garbled")


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with an error quoting the request's headers."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization", "")
        decoded = ""
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode("utf-8", "replace")
        self.server.received.append(auth)
        echo = "\n".join(
            [
                str(self.headers),
                repr(dict(self.headers)),
                decoded,
                repr(decoded),
                quote(decoded),
                quote_plus(decoded),
            ]
        )
        answer = self.server.answer
        if answer == "garbled":
            line = f"HTTP/1.1 OOPS {auth} {decoded!r}\r\n\r\n"
            self.wfile.write(line.encode())
            self.close_connection = True
            return
        if answer == "html":
            body = f"<html><pre>{echo}</pre></html>".encode()
            status, content_type = 500, "text/html"
        else:
            error = {"code": auth, "message": echo, "fields": {decoded: repr(echo)}}
            body = json.dumps({"error": error}).encode()
            status, content_type = int(answer), "application/json"
        self.send_response(status, f"Denied {auth}")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Stay quiet."""


@pytest.fixture
def echo_machine():
    """A machine on 127.0.0.1 echoing the request headers in its errors."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    server.received = []
    server.answer = "401"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def leak_forms(kind, secret):
    """Every form in which the secret would leak, computed here on purpose."""
    forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}
    forms |= {quote(secret, safe=""), quote_plus(secret)}
    if kind == "password":
        forms.add(base64.b64encode(f"{USERNAME}:{secret}".encode()).decode())
    else:
        forms.add(f"Bearer {secret}")
    return forms


def exception_texts(error):
    """The texts an error shows: message, repr, chain, traceback."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, CoffeeError):
        texts += [str(error.code), repr(getattr(error, "errors", None))]
    seen = error
    while seen is not None:
        texts += [str(seen), repr(seen), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    return texts


def client_for(url, kind, secret, **kwargs):
    credentials = {"password": secret} if kind == "password" else {"api_key": secret}
    return CoffeeClient(url, USERNAME, timeout=2, **credentials, **kwargs)


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize(("kind", "secret"), CREDENTIALS)
def test_echoing_machine_never_makes_a_secret_leak(
    echo_machine, caplog, answer, kind, secret
):
    caplog.set_level(logging.DEBUG)
    echo_machine.answer = answer
    with client_for(echo_machine.url, kind, secret) as client:
        with pytest.raises(CoffeeError) as info:
            client.status()
    error = info.value
    assert echo_machine.received, "the request never reached the machine"
    expected = {
        "401": CoffeeAuthError,
        "500": CoffeeServerError,
        "422": CoffeeValidationError,
        "html": CoffeeServerError,
        "garbled": CoffeeConnectionError,
    }[answer]
    assert type(error) is expected
    assert "GET /api/v1/status" in str(error)
    texts = exception_texts(error) + [caplog.text]
    for form in leak_forms(kind, secret):
        for text in texts:
            assert form not in text
    if answer in ("401", "500", "422"):
        # the echo is quoted, masked: in place, or withheld for a short secret
        assert (SECRET_MASK in str(error)) or (WITHHELD in str(error))
    if answer == "garbled":
        # no answer: nothing of the library's exception comes along
        assert error.__cause__ is None and error.__context__ is None
        assert "connection closed without an answer" in str(error)
        assert "got no answer" in caplog.text  # the details are logged


def test_mask_in_place_or_withheld():
    mask = SecretMask(["Zx9Qw", "a-long-secret-key"], extra=["YmFyaXN0YTpaeDlRdw=="])
    assert mask("nothing to hide") == "nothing to hide"
    assert mask(None) is None and mask("") == ""
    assert mask("key a-long-secret-key!") == f"key {SECRET_MASK}!"
    assert mask("key a-long-secret-key%21") == f"key {SECRET_MASK}%21"
    assert mask("auth YmFyaXN0YTpaeDlRdw==") == f"auth {SECRET_MASK}"
    # a short secret masked in place would show where it was: withheld
    assert mask("user barista:Zx9Qw refused") == WITHHELD
    one_letter = SecretMask(["e"])
    assert one_letter("invalid credentials") == WITHHELD
    assert SecretMask(["a\\b\nc"])("'a\\\\b\\nc'") == WITHHELD
    # URL-encoded, the secret is long enough to be masked in place
    assert SecretMask(["a/b c+d"])("x=a%2Fb+c%2Bd") == f"x={SECRET_MASK}"
    assert SecretMask(["a/b c+d"])("x=a%2fb%20c%2bd") == f"x={SECRET_MASK}"
    assert SecretMask(["a/b c+d"])("x=a/b c+d") == WITHHELD


def test_one_letter_password_does_not_garble_messages(echo_machine):
    """The client's own wording is never masked, only what it quotes."""
    echo_machine.answer = "401"
    with client_for(echo_machine.url, "password", "e") as client:
        with pytest.raises(CoffeeAuthError) as info:
            client.status()
    assert str(info.value).startswith("GET /api/v1/status answered 401")
    assert "Check the username/password or API key of the backend." in str(info.value)


@pytest.mark.parametrize("key", ["k3y-with-newline\n", " k3y-Abc", "k3y\twith-tab"])
def test_api_key_that_cannot_be_sent_is_refused_unsent(echo_machine, key):
    with client_for(echo_machine.url, "api_key", key) as client:
        with pytest.raises(CoffeeConfigurationError) as info:
            client.status()
    assert not echo_machine.received
    assert not info.value.retryable
    assert key.strip() not in str(info.value)
    assert "control character" in str(info.value)


@pytest.fixture
def full_backlog():
    """A port of 127.0.0.1 that accepts no more connections: they time out."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        try:
            # fill the accept queue, never accepted: the next SYNs are dropped
            for __ in range(4):
                filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                fillers.append(filler)
            yield port
        finally:
            for filler in fillers:
                filler.close()


def test_refused_and_timed_out_look_alike(closed_port, full_backlog, caplog):
    """Check connection must not tell which ports of a host answer."""
    caplog.set_level(logging.INFO, logger="coffee_api.client")
    messages = {}
    for name, port in (("refused", closed_port), ("timed out", full_backlog)):
        location = f"http://127.0.0.1:{port}"
        with CoffeeClient(location, api_key="k3y-of-the-test", timeout=0.5) as client:
            with pytest.raises(CoffeeConnectionError) as info:
                client.status()
        assert info.value.retryable
        assert info.value.__cause__ is None and info.value.__context__ is None
        messages[name] = str(info.value).replace(location, "<location>")
    assert messages["refused"] == messages["timed out"]
    text = messages["refused"].lower()
    for detail in ("refused", "errno", "timed out", "timeout", "111"):
        assert detail not in text
    # the low-level reason is in the server's log, for its administrator
    assert "refused" in caplog.text.lower()
    assert "k3y-of-the-test" not in caplog.text


@pytest.mark.parametrize(
    ("location", "local"),
    [
        ("http://127.0.0.1:8089", True),
        ("http://127.8.9.10", True),
        ("https://localhost", True),
        ("http://LOCALHOST.:8089/api", True),
        ("http://coffee.localhost", True),
        ("http://[::1]:8089", True),
        ("http://[::ffff:127.0.0.1]", True),
        ("http://169.254.169.254/latest", True),
        ("http://[fe80::1]", True),
        ("http://[fe80::1%25eth0]:80", True),
        ("http://0.0.0.0:8089", True),
        ("http://[::]", True),
        ("http://127.1", True),
        ("http://2130706433", True),
        ("http://0x7f.0.0.1", True),
        ("http://10.0.0.5:8089", False),
        ("http://192.168.1.20", False),
        ("https://coffee.example.com", False),
        ("http://localhost.example.com", False),
        ("http://[2001:db8::1]", False),
        ("http://beef", False),
        ("not a url", False),
        ("", False),
    ],
)
def test_is_local_location(location, local):
    assert is_local_location(location) is local
