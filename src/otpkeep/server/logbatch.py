"""Log records written in batches by one thread, so no request waits for a log write.

:class:`BatchedHandler` only appends each record to a list (no lock handed over, no
thread woken); its writer thread formats what has gathered every ``interval`` seconds and
hands it to the real handler in one write and one flush. Stopping it writes what is left.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Final, TextIO

INTERVAL: Final = 0.1


class BatchedHandler(logging.Handler):
    """Collects records; a daemon thread passes them to ``target`` in batches."""

    def __init__(
        self, target: logging.StreamHandler[TextIO], *, interval: float = INTERVAL
    ) -> None:
        super().__init__()
        self.target = target
        self.interval = interval
        self._records: deque[logging.LogRecord] = deque()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="otpkeep-log", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        """Keep ``record``, its message resolved now (its arguments may change later)."""
        record.msg = record.getMessage()
        record.args = None
        record.exc_info = None
        self._records.append(record)

    def drain(self) -> None:
        """Write every record gathered so far, in one write."""
        lines: list[str] = []
        while self._records:
            record = self._records.popleft()
            try:
                lines.append(self.target.format(record))
            except Exception:  # noqa: BLE001, S112 - a record that cannot be formatted is dropped
                continue
        if lines:
            stream = self.target.stream
            stream.write("\n".join(lines) + "\n")
            stream.flush()

    def close(self) -> None:
        """Stop the writer thread after writing what is left."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)
        self.drain()
        super().close()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.drain()
            except OSError:  # the stream is gone: nothing more can be written
                return
