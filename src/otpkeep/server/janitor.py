"""The janitor thread of a serving process: :func:`otpkeep.server.services.maintenance.run`
once a minute, logging rather than raising, so that it outlives a database outage.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Final

from otpkeep.server.services import maintenance

if TYPE_CHECKING:
    from otpkeep.server.runtime import Runtime

logger = logging.getLogger(__name__)
INTERVAL: Final = 60.0


class Janitor:
    """A daemon thread running the maintenance every ``interval`` seconds until stopped."""

    def __init__(self, runtime: Runtime, *, interval: float = INTERVAL) -> None:
        self.runtime = runtime
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="otpkeep-janitor", daemon=True)

    def start(self) -> Janitor:
        """Start the thread; return self."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """End the thread after its current run."""
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self) -> maintenance.MaintenanceReport | None:
        """One run; None when it failed (the failure is logged by its class name)."""
        try:
            report = maintenance.run(self.runtime)
        except Exception as exc:  # noqa: BLE001 - the next run tries again
            logger.warning(json.dumps({"event": "janitor_failed", "error": type(exc).__name__}))
            return None
        if report.attempts_counted or report.rows_purged:
            logger.info(
                json.dumps(
                    {
                        "event": "janitor",
                        "attempts_counted": report.attempts_counted,
                        "rows_purged": report.rows_purged,
                    }
                )
            )
        return report

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.run_once()
