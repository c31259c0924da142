# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The simulator command line: python -m coffee_simulator, from any folder."""

import re
import signal
import subprocess
import sys

import pytest
import requests

URL_LINE = re.compile(
    r"^Coffee machine simulator serving on (http://127\.0\.0\.1:\d+)$"
)


@pytest.fixture
def cli_simulator(creds, tmp_path):
    """Start the simulator CLI on a free port; yield (process, url)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coffee_simulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--username",
            creds.username,
            "--password",
            creds.password,
            "--api-key",
            creds.api_key,
            "--seed",
            "5",
            "--brews",
            "20",
            "--faults",
            "",
        ],
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        match = URL_LINE.match(line)
        assert match, f"unexpected first line {line!r}: {process.stderr.read()}"
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        process.stdout.close()
        process.stderr.close()


def test_cli(cli_simulator, creds):
    process, url = cli_simulator
    auth = (creds.username, creds.password)
    answer = requests.get(url + "/api/v1/status", auth=auth, timeout=5)
    assert answer.status_code == 200 and answer.json()["api_version"] == "1"
    denied = requests.get(url + "/api/v1/status", timeout=5)
    assert denied.status_code == 401 and denied.json()["error"]["code"]
    brews = []
    for _attempt in range(2):
        answer = requests.post(
            url + "/api/v1/brews",
            json={"machine_id": 1, "beverage_id": 1},
            headers={"Idempotency-Key": "cli-1"},
            auth=auth,
            timeout=5,
        )
        assert answer.status_code == 202
        brews.append(answer.json())
    assert brews[0]["id"] == brews[1]["id"] == 21
    page = requests.get(url + "/api/v1/brews?per_page=500", auth=auth, timeout=5)
    assert page.json()["total"] == 21
    counters = requests.get(url + "/admin/counters", auth=auth, timeout=5).json()
    assert counters["pours"] == 1 and counters["POST /brews"] == 2
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert process.stderr.read() == ""


def test_cli_sigint(cli_simulator):
    process, _url = cli_simulator
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=5) == 0


def test_cli_bad_arguments(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "coffee_simulator", "--faults", "fire:1"],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2 and "unknown fault 'fire'" in result.stderr
    assert result.stdout == ""
