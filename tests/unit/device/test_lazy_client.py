"""A device that has not connected yet has not imported the client, httpx or the escrow's crypto.

The terminal app's memory goal (``bench/tui.py``) rests on it: a vault without a backup
never loads them, and a vault with one loads them at its first connection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

LOADED_LATE = ("httpx", "httpcore", "otpkeep.device.client", "otpkeep.crypto.escrow", "argon2")

REPORT = """
import sys
import otpkeep.tui.app, otpkeep.device.session
modules = sorted(sys.modules)
import json
print(json.dumps(modules))
"""


def test_the_app_and_the_session_start_without_the_client() -> None:
    # Without a coverage tracer in the child: its own imports are not the app's.
    env = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    ran = subprocess.run(
        [sys.executable, "-c", REPORT],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    imported = set(json.loads(ran.stdout))
    assert not imported & set(LOADED_LATE)


def test_the_session_connects_through_the_client_all_the_same() -> None:
    from otpkeep.device.client import ServiceClient  # noqa: PLC0415 - the point of the test
    from otpkeep.device.session import connect_client  # noqa: PLC0415

    client = connect_client("http://127.0.0.1:9")
    try:
        assert isinstance(client, ServiceClient)
    finally:
        client.close()
