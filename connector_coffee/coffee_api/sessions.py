# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP sessions kept from one client to the next, one set per thread.

A :class:`~.client.CoffeeClient` lives as long as a job; the jobs of a worker
follow one another on the same thread. Given the thread's session of its
machine, each client sends its requests over the connection the previous
one left open, instead of making a new one (and, over HTTPS, a new TLS
handshake) for every page, record or export of a sync.

A session is never shared between threads (``requests`` does not promise
that it may be), nor kept across a ``fork()``: a process serving requests or
jobs makes its own. The sessions of a thread are closed when the thread is
gone (Odoo's threaded server runs each request in a thread of its own).
"""

import os
import threading
import weakref
from collections import OrderedDict

import requests

#: sessions kept per thread; past this, the least recently used is closed
MAX_SESSIONS = 16

_local = threading.local()


def _sessions():
    """This thread's sessions, by key, least recently used first."""
    if getattr(_local, "pid", None) != os.getpid():
        # a fresh thread, or the copy a fork() made of the parent's: the
        # parent's connections are not the child's to use, and closing its
        # copies of their sockets leaves them open in the parent
        _close(getattr(_local, "sessions", {}))
        _local.sessions = OrderedDict()
        _local.pid = os.getpid()
        weakref.finalize(threading.current_thread(), _close, _local.sessions)
    return _local.sessions


def _close(sessions):
    """Close ``sessions``, and their connections with them."""
    while sessions:
        __, session = sessions.popitem()
        session.close()


def shared_session(key):
    """The session of this thread for ``key``, made at its first use.

    :param key: what tells the connections apart: e.g. the database, the
        backend, its location and TLS settings; clients of the same key
        share connections
    :return: a ``requests.Session``; not to be closed by its user
    """
    sessions = _sessions()
    session = sessions.pop(key, None)
    if session is None:
        while len(sessions) >= MAX_SESSIONS:
            __, oldest = sessions.popitem(last=False)
            oldest.close()
        session = requests.Session()
    sessions[key] = session
    return session


def close_shared_sessions():
    """Close the sessions of this thread (their connections with them)."""
    _close(_sessions())
