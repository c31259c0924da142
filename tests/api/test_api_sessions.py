# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sessions kept per thread: clients one after another reuse a connection."""

import gc
import os
import threading

from coffee_api import CoffeeClient, close_shared_sessions, shared_session
from coffee_api.sessions import MAX_SESSIONS


def test_clients_of_one_key_share_a_connection(sim, creds):
    sim.reset_counters()
    try:
        for __ in range(3):
            with CoffeeClient(
                sim.url,
                creds.username,
                creds.password,
                session=shared_session(("test", sim.url)),
            ) as client:
                client.status()
                client.get_page("brews")
        counters = sim.counters()
        assert counters["total"] == 6
        assert counters["connections"] == 1
    finally:
        close_shared_sessions()


def test_clients_of_their_own_connect_each_time(sim, creds):
    sim.reset_counters()
    for __ in range(3):
        with CoffeeClient(sim.url, creds.username, creds.password) as client:
            client.status()
    assert sim.counters()["connections"] == 3


def test_a_thread_has_sessions_of_its_own():
    try:
        mine = shared_session("key")
        theirs = []
        thread = threading.Thread(target=lambda: theirs.append(shared_session("key")))
        thread.start()
        thread.join()
        assert shared_session("key") is mine
        assert theirs[0] is not mine
        assert shared_session("other key") is not mine
    finally:
        close_shared_sessions()


def test_the_least_recently_used_session_is_closed_past_the_limit(sim, creds):
    try:
        first = shared_session(0)
        CoffeeClient(sim.url, creds.username, creds.password, session=first).status()
        assert first.adapters["http://"].poolmanager.pools
        for key in range(1, MAX_SESSIONS):
            shared_session(key)
        shared_session(0)  # used again: now the most recent
        shared_session(MAX_SESSIONS)  # closes key 1, the oldest
        assert shared_session(0) is first
        assert first.adapters["http://"].poolmanager.pools
        for key in range(100, 100 + MAX_SESSIONS):
            shared_session(key)  # all new: the older ones closed, key 0 too
        assert shared_session(0) is not first
        # closed: its connections are gone with it
        assert not first.adapters["http://"].poolmanager.pools
    finally:
        close_shared_sessions()


def test_the_sessions_of_a_thread_close_when_it_is_gone(sim, creds):
    made = []

    def work():
        session = shared_session(("test", sim.url))
        CoffeeClient(sim.url, creds.username, creds.password, session=session).status()
        made.append(session)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert made[0].adapters["http://"].poolmanager.pools
    del thread
    gc.collect()
    assert not made[0].adapters["http://"].poolmanager.pools


def test_a_forked_child_leaves_the_parents_connections_alone(sim, creds):
    key = ("test", sim.url)
    try:
        session = shared_session(key)
        client = CoffeeClient(sim.url, creds.username, creds.password, session=session)
        client.status()
        sim.reset_counters()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: a session of its own, the copy closed
            ok = shared_session(key) is not session and not (
                session.adapters["http://"].poolmanager.pools
            )
            os.write(write, b"1" if ok else b"0")
            os._exit(0)
        os.close(write)
        assert os.read(read, 1) == b"1"
        os.close(read)
        os.waitpid(pid, 0)
        # the parent's connection is still open, and used again
        assert shared_session(key) is session
        client.status()
        assert sim.counters().get("connections", 0) == 0
    finally:
        close_shared_sessions()
