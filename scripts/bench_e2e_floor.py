# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The floor of ``make bench-e2e``, measured by ``bench_worker.py``'s code.

Run by ``bench_e2e.py`` with the interpreter that imports Odoo 18, once the
end-to-end sync is over and Odoo's server stopped, on the same database, with
the same machines still serving::

    python scripts/bench_e2e_floor.py --config odoo.conf --database db \\
        --output floor.json

It maps the brews of every backend as the import does
(``Bench.mapped_values`` of ``bench_worker.py``: pages read from the machine,
the importer's own mapper, relations resolved), deletes the imported brews and
times the ORM's ``create()`` of each backend's values (``Bench.measure_floor``,
one call per backend), ``--repeat`` times; the fastest run counts, as in
``make bench``.
"""

import argparse
import json
import os
import sys

from bench_worker import Bench, Measure, best_run, check, progress

from odoo.modules.registry import Registry
from odoo.tools import config


class NoRequests:
    """The floor asks the machine nothing: the requests it counts are 0."""

    def reset_counters(self):
        """Nothing to reset."""

    def counters(self):
        """No request."""
        return {"total": 0}


def measure_floor(bench, repeat):
    """Time the ORM's create() of every backend's brews; the best run counts.

    Each backend's brews are created at once, as ``make bench`` measures the
    floor of one size: 3 machines of 10,000 brews make 3 create() of 10,000.

    :param bench: the :class:`~bench_worker.Bench` on the database
    :param repeat: how many runs
    :return: the figures of the fastest run (``records``, ``seconds``, ...)
    """
    backends = bench.env["coffee.backend"].search([])
    values = {backend: bench.mapped_values(backend) for backend in backends}
    bench.end_transaction()
    records = sum(len(each) for each in values.values())
    runs = []
    measure = Measure(bench.cr, NoRequests())
    for turn in range(1, repeat + 1):
        progress(
            f"floor: create() of {records:,} brews ({len(backends)} x "
            f"{records // max(len(backends), 1):,}), run {turn}/{repeat}"
        )
        for backend in backends:
            bench.delete_brews(backend)
        parts = [bench.measure_floor(measure, values[b]) for b in backends]
        runs.append(
            {
                "records": records,
                "seconds": round(sum(p["seconds"] for p in parts), 4),
                "http": 0,
                "sql": sum(p["sql"] for p in parts),
                "peak_mib": max(p["peak_mib"] for p in parts),
                "creates": len(parts),
            }
        )
        stored = sum(bench.brew_count(backend) for backend in backends)
        check(stored == records, f"the floor stored {stored} brews, not {records}")
    return best_run(runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", required=True, help="JSON file of the figures")
    args = parser.parse_args(argv)

    config.parse_config(["-c", args.config, "--log-level=warn", "--workers=0"])
    bench = Bench(Registry(args.database))
    try:
        figures = measure_floor(bench, args.repeat)
    finally:
        bench.close()
    with open(args.output, "w") as handle:
        json.dump(figures, handle, indent=2)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TZ", "UTC")
    sys.exit(main())
