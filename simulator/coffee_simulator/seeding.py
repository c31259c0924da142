# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The generated data of the simulator: seed tables and their generation.

:func:`seed_store` fills a fresh store deterministically from a seed (the
same seed and sizes always give the same records); :func:`default_values`
fills the fields a server-side creation leaves out.
"""

import random
from datetime import datetime, timedelta, timezone

from .schema import EPOCH, RESOURCES, TEAPOT_MODEL, format_timestamp

MACHINE_NAMES = (
    "Lobby Espresso",
    "Kitchen Bean-to-Cup",
    "Meeting Room Barista",
    "R&D Brewer",
    "Reception Roaster",
    "Sales Floor Express",
    "Warehouse Percolator",
    "Rooftop Café",
)
MACHINE_MODELS = ("BARISTA-2000", "JURA-X8", "SAECO-PRO", "LAMARZ-LINEA")
BEVERAGES = (
    ("ESPRESSO", "Espresso", 30, 5, 1.20),
    ("DOUBLE_ESPRESSO", "Double espresso", 60, 5, 1.90),
    ("RISTRETTO", "Ristretto", 20, 5, 1.20),
    ("LUNGO", "Lungo", 110, 3, 1.40),
    ("AMERICANO", "Americano", 200, 2, 1.60),
    ("CAPPUCCINO", "Cappuccino", 180, 3, 2.20),
    ("LATTE", "Caffè latte", 250, 2, 2.50),
    ("FLAT_WHITE", "Flat white", 160, 4, 2.40),
    ("MACCHIATO", "Latte macchiato", 220, 2, 2.40),
    ("MOCHA", "Mocha", 240, 3, 2.80),
    ("CORTADO", "Cortado", 120, 4, 2.00),
    ("HOT_WATER", "Hot water", 200, 1, 0.00),
)
FIRST_NAMES = (
    "Ada",
    "Alan",
    "Barbara",
    "Claude",
    "Dennis",
    "Edsger",
    "Frances",
    "Grace",
    "Guido",
    "Hedy",
    "Ken",
    "Linus",
    "Margaret",
    "Niklaus",
    "Radia",
    "Tim",
)
LAST_NAMES = (
    "Lovelace",
    "Turing",
    "Liskov",
    "Shannon",
    "Ritchie",
    "Dijkstra",
    "Allen",
    "Hopper",
    "Rossum",
    "Lamarr",
    "Thompson",
    "Torvalds",
    "Hamilton",
    "Wirth",
    "Perlman",
    "Berners-Lee",
)
FAILURE_REASONS = ("out of beans", "out of water", "grinder jammed")


def seed_store(store, seed=1, counts=None, history_days=None):
    """Fill a fresh store with the deterministic initial records.

    The last two of three machines or more are in maintenance and a teapot;
    the seeded brews are finished, on the other machines.

    :param store: an empty :class:`~.brewing.BrewingStore`
    :param seed: seed of the generated data
    :param counts: dict resource -> number of records to generate
    :param history_days: spread the seeded brews evenly over this many days
        up to the hour before now (for a demo's charts); None: 30 seconds
        apart from the fixed epoch, the same on every run
    """
    counts = dict(counts or {})
    rng = random.Random(seed)
    makers = {
        "machines": _machine,
        "beverages": _beverage,
        "users": _user,
    }
    for resource, make in makers.items():
        count = max(int(counts.get(resource, 0)), 0)
        for index in range(1, count + 1):
            stamp = EPOCH + timedelta(seconds=index)
            store.insert(resource, make(rng, seed, index, count, stamp))
    _seed_brews(store, rng, seed, max(int(counts.get("brews", 0)), 0), history_days)
    stamps = [
        record["updated_at"]
        for resource in RESOURCES
        for record in store.records[resource].values()
    ]
    if stamps:
        store.track_stamp(max(stamps))


def _machine(rng, seed, index, count, stamp):
    """Return the seeded machine number ``index``."""
    name = MACHINE_NAMES[(index - 1) % len(MACHINE_NAMES)]
    if index > len(MACHINE_NAMES):
        name = f"{name} {index}"
    model = MACHINE_MODELS[rng.randrange(len(MACHINE_MODELS))]
    state = "idle"
    if count >= 3 and index == count - 1:
        state = "maintenance"
    if count >= 3 and index == count:
        name, model = "Office Teapot", TEAPOT_MODEL
    return {
        "name": name,
        "model": model,
        "serial": f"CM{seed:03d}-{index:05d}",
        "state": state,
        "water_level": rng.randint(40, 100),
        "beans_level": rng.randint(40, 100),
        "milk_level": rng.randint(20, 100),
        "temperature": round(rng.uniform(88.0, 95.0), 1),
        "updated_at": format_timestamp(stamp),
    }


def _beverage(rng, seed, index, count, stamp):
    """Return the seeded beverage number ``index``."""
    code, name, size_ml, strength, price = BEVERAGES[(index - 1) % len(BEVERAGES)]
    if index > len(BEVERAGES):
        code, name = f"{code}_{index}", f"{name} {index}"
    return {
        "code": code,
        "name": name,
        "size_ml": size_ml,
        "strength": strength,
        "price": price,
        "currency": "EUR",
        "active": True,
        "updated_at": format_timestamp(stamp),
    }


def _user(rng, seed, index, count, stamp):
    """Return the seeded user number ``index``."""
    first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
    return {
        "name": f"{first} {last}",
        "email": f"{first}.{last}.{index}@example.com".lower(),
        "badge": f"BADGE-{index:05d}",
        "ref": None,
        "active": True,
        "updated_at": format_timestamp(stamp),
    }


def _brew_times(count, history_days):
    """The request times of ``count`` seeded brews, oldest first."""
    if not history_days:
        return [EPOCH + timedelta(seconds=30 * index) for index in range(1, count + 1)]
    end = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    end -= timedelta(hours=1)
    span = timedelta(days=float(history_days))
    return [end - span + span * index / max(count, 1) for index in range(count)]


def _seed_brews(store, rng, seed, count, history_days=None):
    """Generate ``count`` finished brews on the seeded records."""
    machines = [
        key
        for key, rec in store.records["machines"].items()
        if rec["model"] != TEAPOT_MODEL
    ]
    beverages = list(store.records["beverages"])
    users = list(store.records["users"])
    if not machines or not beverages:
        return
    times = _brew_times(count, history_days)
    for index in range(1, count + 1):
        record = store.insert(
            "brews",
            _brew(rng, seed, index, machines, beverages, users, times[index - 1]),
        )
        # the fingerprint of a seeded brew's body is computed on demand
        store.remember_key(record["idempotency_key"], record["id"])


def _brew(rng, seed, index, machines, beverages, users, requested):
    """Return the seeded brew number ``index``, requested at ``requested``."""
    finished = format_timestamp(requested + timedelta(seconds=25))
    roll = rng.random()
    state = "done" if roll < 0.9 else ("failed" if roll < 0.95 else "cancelled")
    user_id = users[rng.randrange(len(users))] if users else None
    if rng.random() < 0.1:
        user_id = None
    return {
        "machine_id": machines[rng.randrange(len(machines))],
        "beverage_id": beverages[rng.randrange(len(beverages))],
        "user_id": user_id,
        "state": state,
        "requested_at": format_timestamp(requested),
        "finished_at": finished,
        "failure_reason": (
            FAILURE_REASONS[rng.randrange(len(FAILURE_REASONS))]
            if state == "failed"
            else None
        ),
        "idempotency_key": f"seed-{seed}-{index}",
        "updated_at": finished,
    }


def default_values(resource, record_id, stamp):
    """Return the field values of a new record that the caller left out.

    :param resource: machines, beverages, users or brews
    :param record_id: the id the record gets
    :param stamp: the timestamp text of its creation
    :return: dict field -> value (every field but ``id``)
    """
    return {
        "machines": {
            "name": f"Machine {record_id}",
            "model": MACHINE_MODELS[0],
            "serial": f"CMX-{record_id:05d}",
            "state": "idle",
            "water_level": 100,
            "beans_level": 100,
            "milk_level": 100,
            "temperature": 92.0,
        },
        "beverages": {
            "code": f"BEV_{record_id}",
            "name": f"Beverage {record_id}",
            "size_ml": 100,
            "strength": 3,
            "price": 1.0,
            "currency": "EUR",
            "active": True,
        },
        "users": {
            "name": f"User {record_id}",
            "email": None,
            "badge": None,
            "ref": None,
            "active": True,
        },
        "brews": {
            "machine_id": 1,
            "beverage_id": 1,
            "user_id": None,
            "state": "done",
            "requested_at": stamp,
            "finished_at": stamp,
            "failure_reason": None,
            "idempotency_key": f"sim-{record_id}",
        },
    }[resource] | {"updated_at": stamp}
