# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the tier-A API tests: a real simulator on 127.0.0.1, clients."""

import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from coffee_api import CoffeeClient
from coffee_simulator import CoffeeSimulator

USERNAME = "barista"
PASSWORD = "Pa55-word-NEVER-shown"
API_KEY = "api-key-NEVER-shown-0123456789"
READONLY_KEY = "readonly-key-NEVER-shown-42"
SECRETS = (PASSWORD, API_KEY, READONLY_KEY)


class Credentials:
    """The credentials of the test simulators (distinctive, to find leaks)."""

    username = USERNAME
    password = PASSWORD
    api_key = API_KEY
    readonly_key = READONLY_KEY
    secrets = SECRETS


@pytest.fixture(scope="session")
def creds():
    """The test credentials."""
    return Credentials


def make_simulator(**kwargs):
    """Return a started simulator with the test credentials."""
    options = {
        "host": "127.0.0.1",
        "port": 0,
        "username": USERNAME,
        "password": PASSWORD,
        "api_key": API_KEY,
        "readonly_api_key": READONLY_KEY,
    }
    options.update(kwargs)
    return CoffeeSimulator(**options).start()


@pytest.fixture(scope="session")
def shared_sim():
    """A simulator shared by the tests that only read (never change it)."""
    simulator = make_simulator()
    yield simulator
    simulator.stop()


@pytest.fixture
def sim():
    """A fresh simulator for one test."""
    simulator = make_simulator()
    yield simulator
    simulator.stop()


@pytest.fixture
def make_sim():
    """A factory of started simulators (stopped after the test)."""
    started = []

    def _make(**kwargs):
        simulator = make_simulator(**kwargs)
        started.append(simulator)
        return simulator

    yield _make
    for simulator in started:
        simulator.stop()


@pytest.fixture
def make_client():
    """A factory of clients (closed after the test)."""
    clients = []

    def _make(*args, **kwargs):
        coffee = CoffeeClient(*args, **kwargs)
        clients.append(coffee)
        return coffee

    yield _make
    for coffee in clients:
        coffee.close()


@pytest.fixture
def client(sim):
    """A client of ``sim`` with HTTP Basic auth."""
    with CoffeeClient(sim.url, USERNAME, PASSWORD, timeout=5.0) as coffee:
        yield coffee


@pytest.fixture
def key_client(sim):
    """A client of ``sim`` with the API key."""
    with CoffeeClient(sim.url, api_key=API_KEY, timeout=5.0) as coffee:
        yield coffee


@pytest.fixture
def shared_client(shared_sim):
    """A client of ``shared_sim``."""
    with CoffeeClient(shared_sim.url, USERNAME, PASSWORD, timeout=5.0) as coffee:
        yield coffee


@pytest.fixture
def closed_port():
    """A port of 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Receiver(BaseHTTPRequestHandler):
    """Stores the webhook requests it receives."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        """Record the request, answer the server's status (204 by default)."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.received.put((dict(self.headers.items()), body))
        self.send_response(self.server.status)
        if self.server.status != 204:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Stay quiet."""


@pytest.fixture
def webhook_server():
    """A tiny HTTP server on 127.0.0.1 collecting webhook POSTs.

    Yields the server: ``url``, ``received`` (a queue of (headers, body))
    and ``status``, the status it answers (204, or what the test sets).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    server.received = queue.Queue()
    server.status = 204
    server.url = f"http://127.0.0.1:{server.server_address[1]}/coffee/webhook"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook_receiver(webhook_server):
    """The webhook server's (url, queue of (headers, body))."""
    return webhook_server.url, webhook_server.received
