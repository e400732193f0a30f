"""``otpkeep-server``: migrate, serve and worker through the real command."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import httpx
import pytest

from otpkeep.server.app import create_app, dispose
from otpkeep.server.serving import listen
from otpkeep.server.settings import Settings
from service_harness import mail_text

if TYPE_CHECKING:
    from pathlib import Path

COMMAND = [sys.executable, "-m", "otpkeep.cli.server"]


def run(tmp_path: Path, *arguments: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OTPKEEP_DATA_DIR": str(tmp_path / "data"), **extra_env}
    return subprocess.run(
        [*COMMAND, *arguments], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_migrate_creates_the_database_and_seed(tmp_path: Path) -> None:
    """``migrate`` on an empty folder creates the database and a private seed, exit 0."""
    result = run(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "otpkeep.sqlite3").exists()
    assert (tmp_path / "data" / "vault-seed").stat().st_mode & 0o077 == 0


def test_missing_seed_is_one_sentence_and_exit_1(tmp_path: Path) -> None:
    """With the seed gone the command prints one sentence naming the file, no traceback."""
    assert run(tmp_path, "migrate").returncode == 0
    (tmp_path / "data" / "vault-seed").unlink()
    result = run(tmp_path, "serve", "--port", "1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    sentence = [line for line in result.stderr.splitlines() if line.startswith("otpkeep-server:")]
    assert len(sentence) == 1
    assert str(tmp_path / "data" / "vault-seed") in sentence[0]
    assert not (tmp_path / "data" / "vault-seed").exists()


def test_a_data_folder_that_cannot_be_made_is_one_sentence(tmp_path: Path) -> None:
    """``migrate`` with the data folder under a file ends in one sentence naming it, exit 1."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run(tmp_path, "migrate", OTPKEEP_DATA_DIR=str(blocker / "data"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    sentences = [line for line in result.stderr.splitlines() if line.startswith("otpkeep-server:")]
    assert len(sentences) == 1
    assert str(blocker / "data") in sentences[0]


def test_a_port_in_use_is_one_sentence_and_nothing_says_listening(tmp_path: Path) -> None:
    """``serve`` on a port another program holds exits 1 saying it cannot listen, and never
    prints that it listens."""
    holder = listen("127.0.0.1", 0, backlog=1)
    port = holder.getsockname()[1]
    with holder:
        result = run(tmp_path, "serve", "--port", str(port))
    assert result.returncode == 1
    assert "listening" not in result.stdout
    assert "Traceback" not in result.stderr
    sentences = [line for line in result.stderr.splitlines() if line.startswith("otpkeep-server:")]
    assert len(sentences) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in sentences[0]


def test_bad_setting_is_one_sentence(tmp_path: Path) -> None:
    """A setting that cannot work is refused in one sentence."""
    result = run(tmp_path, "migrate", OTPKEEP_PASSCODE_RETRY_DELAYS="soon")
    assert result.returncode == 1
    assert "passcode_retry_delays" in result.stderr
    assert "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_and_prints_how_to_connect(tmp_path: Path) -> None:
    """``serve`` answers on its port, says how to reach it, and its emailed links lead there."""
    port = free_port()
    env = {**os.environ, "OTPKEEP_DATA_DIR": str(tmp_path / "data")}
    env.pop("OTPKEEP_PUBLIC_URL", None)
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert answer.json() == {"status": "ok"}
        sent = httpx.post(
            f"http://127.0.0.1:{port}/v1/verifications",
            json={"email": "cli@example.com", "purpose": "enable"},
        )
        assert sent.status_code == 202
        mail_dir = tmp_path / "data" / "mail"
        while not list(mail_dir.glob("*.eml")):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        (mail,) = mail_dir.glob("*.eml")
        message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
        assert f"http://127.0.0.1:{port}/v/" in mail_text(message)
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=30)
    assert f"otpkeep --server http://127.0.0.1:{port}" in stdout
    assert '"route": "/v1/verifications"' in stderr
    assert "cli@example.com" not in stderr


def test_worker_once_delivers_queued_mail(tmp_path: Path) -> None:
    """``worker --once`` writes each queued message as an .eml file and exits 0."""
    settings = Settings(data_dir=tmp_path / "data", mail_delivery="worker")
    app = create_app(settings)
    from fastapi.testclient import TestClient  # noqa: PLC0415 - warning filtered in conftest

    with TestClient(app) as client:
        sent = client.post(
            "/v1/verifications", json={"email": "queued@example.com", "purpose": "enable"}
        )
    dispose(app)
    assert sent.status_code == 202
    result = run(tmp_path, "worker", "--once")
    assert result.returncode == 0, result.stderr
    messages = list((tmp_path / "data" / "mail").glob("*.eml"))
    assert len(messages) == 1
    assert b"queued@example.com" in messages[0].read_bytes()
