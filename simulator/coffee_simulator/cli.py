# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The command line of the simulator: ``python -m coffee_simulator``.

Serves until SIGTERM or SIGINT; the first line on stdout is ``Coffee machine
simulator serving on URL``.
"""

import argparse
import logging
import signal
import sys
import threading

from .simulator import CoffeeSimulator


def _parser():
    """Build the command line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m coffee_simulator",
        description="Serve a simulated coffee machine (REST API v1).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089, help="0 for a free port")
    parser.add_argument("--username", default="coffee")
    parser.add_argument("--password", default="coffee")
    parser.add_argument("--api-key", default="coffee-api-key")
    parser.add_argument("--readonly-api-key", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--machines", type=int, default=4)
    parser.add_argument("--beverages", type=int, default=8)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--brews", type=int, default=50)
    parser.add_argument(
        "--history-days",
        type=float,
        default=None,
        help="spread the seeded brews over this many days up to now",
    )
    parser.add_argument("--faults", default="", help="e.g. 503:0.05,latency:0.2")
    parser.add_argument("--brew-seconds", type=float, default=None)
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default=None)
    parser.add_argument(
        "--webhook-batch",
        type=int,
        default=1,
        help="the most events of one webhook delivery (default 1: one each)",
    )
    parser.add_argument("--log-level", default="WARNING")
    return parser


def main(argv=None):
    """Run the simulator until SIGTERM or SIGINT.

    :param argv: command line arguments (default sys.argv[1:])
    :return: the exit code
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    stop = threading.Event()

    def _on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        simulator = CoffeeSimulator(
            host=args.host,
            port=args.port,
            username=args.username,
            password=args.password,
            api_key=args.api_key,
            readonly_api_key=args.readonly_api_key,
            seed=args.seed,
            machines=args.machines,
            beverages=args.beverages,
            users=args.users,
            brews=args.brews,
            history_days=args.history_days,
            faults=args.faults,
            brew_seconds=args.brew_seconds,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
            webhook_batch=args.webhook_batch,
        ).start()
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"Cannot start the coffee machine simulator: {exc}\n")
        return 2
    sys.stdout.write(f"Coffee machine simulator serving on {simulator.url}\n")
    sys.stdout.flush()
    while not stop.is_set():
        stop.wait(0.2)
    simulator.stop()
    return 0
