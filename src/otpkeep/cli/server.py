"""``otpkeep-server``: serve the backup service, migrate its database, or deliver mail.

The one error boundary of the service's command: an :class:`OtpkeepError` is printed as
its sentence on standard error, with exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import sys
import time
from typing import TYPE_CHECKING

from otpkeep.errors import OtpkeepError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from otpkeep.server.settings import Settings


SERVICE_PACKAGES = frozenset(
    {"fastapi", "starlette", "uvicorn", "pydantic_settings", "sqlalchemy", "alembic"}
    | {"psycopg", "prometheus_client"}
)
"""The import names of the packages of the ``server`` extra, which the authenticator lacks."""


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object a line (messages that are JSON stay objects)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        try:
            parsed = json.loads(message)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            line.update(parsed)
        else:
            line["message"] = message
        return json.dumps(line)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on standard error for otpkeep's and uvicorn's loggers.

    Requests only append their records to a list; one thread formats and writes them in
    batches (:mod:`otpkeep.server.logbatch`), so no request waits for standard error.
    """
    from otpkeep.server.logbatch import BatchedHandler  # noqa: PLC0415 - keep --help fast

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    batched = BatchedHandler(handler)
    atexit.register(batched.close)
    root = logging.getLogger()
    root.handlers[:] = [batched]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # Alembic announces each of its plugins at INFO on every start: keep its migration lines only.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn  # noqa: PLC0415 - only serve needs it

    from otpkeep.server.app import create_app, dispose  # noqa: PLC0415 - keep --help fast
    from otpkeep.server.serving import (  # noqa: PLC0415
        KEEP_ALIVE_SECONDS,
        listen,
        protocol_for,
    )

    where = f"http://{host}:{port}"
    if "public_url" not in settings.model_fields_set:
        # The emailed links must reach this server: without OTPKEEP_PUBLIC_URL, where it listens.
        settings = settings.model_copy(update={"public_url": where})
    app = create_app(settings)
    try:
        sock = listen(host, port, backlog=settings.listen_backlog)
    except BaseException:
        dispose(app)
        raise
    print(
        f"otpkeep-server listening on {where} (data in {settings.data_dir.resolve()}).\n"
        f"Point the app at it: otpkeep --server {where} backup enable "
        f"(or export OTPKEEP_SERVER={where}).",
        flush=True,
    )
    if settings.smtp_url is None:
        print(
            f"Mail is written as .eml files to {settings.resolved_mail_dir.resolve()}.", flush=True
        )
    config = uvicorn.Config(
        app,
        http=protocol_for(settings),
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        backlog=settings.listen_backlog,
    )
    with sock:
        uvicorn.Server(config).run(sockets=[sock])


def _migrate(settings: Settings) -> None:
    from otpkeep.server.app import open_runtime  # noqa: PLC0415 - keep --help fast

    runtime = open_runtime(settings)
    runtime.engine.dispose()
    print("The database is at the newest schema and matches the vault seed.")


def _worker(settings: Settings, *, once: bool) -> None:
    from otpkeep.server.app import open_outbox  # noqa: PLC0415 - keep --help fast
    from otpkeep.server.mail.sender import run_worker  # noqa: PLC0415

    engine, key = open_outbox(settings)
    try:
        run_worker(settings, engine, key=key, once=once)
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``otpkeep-server``."""
    parser = argparse.ArgumentParser(
        prog="otpkeep-server",
        description="The otpkeep backup service. Settings: OTPKEEP_* variables or the TOML "
        "file named by OTPKEEP_CONFIG.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the HTTP API (migrates first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    commands.add_parser("migrate", help="bring the database to the newest schema, and stop")
    worker = commands.add_parser("worker", help="deliver queued mail (run several at scale)")
    worker.add_argument("--once", action="store_true", help="deliver what is due, then stop")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``otpkeep-server``; the exit status."""
    arguments = build_parser().parse_args(argv)
    configure_logging()
    try:
        from otpkeep.server.settings import load_settings  # noqa: PLC0415 - keep --help fast

        settings = load_settings()
        if arguments.command == "serve":
            _serve(settings, arguments.host, arguments.port)
        elif arguments.command == "migrate":
            _migrate(settings)
        else:
            _worker(settings, once=arguments.once)
    except ModuleNotFoundError as error:
        missing = (error.name or "").partition(".")[0]
        if missing not in SERVICE_PACKAGES:
            raise
        print(
            f"otpkeep-server: the service needs packages this installation lacks ({missing}):"
            " install otpkeep with its server extra: pip install 'otpkeep[server]'.",
            file=sys.stderr,
        )
        return 1
    except OtpkeepError as error:
        print(f"otpkeep-server: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        print(
            f"otpkeep-server: a file or folder cannot be used{where}: {error.strerror or error}.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
