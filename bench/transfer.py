"""End-to-end transfer of 1,000 accounts over loopback, timed by phase.

A real service (uvicorn on 127.0.0.1, SQLite, the default Argon2id parameters) and
the device's own client, crypto and vault. Device A enables backup with 1,000
accounts; device B then transfers them, and each step of the transfer is timed:
verification, the OPRF round trip, Argon2id, the proof, download, decryption,
merge into the vault, and the renewal of the passcode under a new key version.
Goal: everything except Argon2id under 300 ms.
"""

from __future__ import annotations

import re
import socket
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from otpkeep.crypto import escrow
from otpkeep.crypto.kdf import KdfParams
from otpkeep.crypto.slowhash import hash_passcode
from otpkeep.device.backup.payload import decode_payload
from otpkeep.device.backup.state import pending_hook
from otpkeep.device.backup.sync import merge_into
from otpkeep.device.client import ServiceClient
from otpkeep.device.flows.context import Event, FlowContext
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.passcode import to_crypto_kdf, to_wire_kdf
from otpkeep.device.vault import Vault
from otpkeep.otp.account import Account
from otpkeep.protocol.messages import PasscodeRegistration, Purpose
from otpkeep.server.app import create_app
from otpkeep.server.mail.mailer import MemoryMailer
from otpkeep.server.settings import Settings

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Iterator

ACCOUNTS = 1000
EMAIL = "bench@example.com"
PASSCODE = "482915"
GOAL_MS = 300.0
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
TINY = KdfParams(memory_kib=8, iterations=1, salt=b"0123456789abcdef")


class Answers:
    """A prompter that answers the enable flow."""

    def __init__(self, code: Callable[[], str]) -> None:
        self._code = code

    def email(self) -> str:
        return EMAIL

    def code(self) -> str:
        return self._code()

    def passcode(self) -> str:
        return PASSCODE

    def passcode_again(self) -> str:
        return PASSCODE

    def confirm(self, _question: str) -> bool:
        return True

    def event(self, _event: Event) -> None:
        return


def serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{port}"


def wait_for_code(mailer: MemoryMailer, count: int) -> str:
    """The code of the ``count``-th verification mail, once it has been delivered."""
    deadline = time.monotonic() + 10
    while True:
        codes = [
            CODE.search(body.get_content())
            for message in mailer.to(EMAIL)
            if str(message["X-Otpkeep-Template"]) == "verification_code"
            and (body := message.get_body(preferencelist=("plain",))) is not None
        ]
        if len(codes) >= count and (found := codes[count - 1]) is not None:
            return found.group(1)
        if time.monotonic() > deadline:
            raise RuntimeError("no verification mail arrived")
        time.sleep(0.005)


def elapsed(work: Callable[[], object]) -> float:
    """Milliseconds ``work`` takes."""
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


class Phases:
    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    def add(self, name: str, ms: float) -> None:
        self.ms[name] = self.ms.get(name, 0.0) + ms

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.add(name, (time.perf_counter() - start) * 1000)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        mailer = MemoryMailer()
        settings = Settings(data_dir=root / "service", max_sends_per_client_per_hour=1000)
        server, thread, url = serve(create_app(settings, mailer=mailer))
        try:
            return run(root, url, mailer)
        finally:
            server.should_exit = True
            thread.join(10)


def enable_device_a(root: Path, url: str, mailer: MemoryMailer) -> None:
    """Device A: 1,000 accounts and backup on (not timed)."""
    home = root / "a"
    vault = Vault(home, on_change=pending_hook(home), keystore="file")
    with vault.transaction() as data:
        for i in range(ACCOUNTS):
            issuer = "Heroku" if i == 0 else f"Service {i}"
            data.add(Account(issuer, f"user{i}@example.com", i.to_bytes(4, "big") * 5), i)
    answers = Answers(lambda: wait_for_code(mailer, 1))
    enable_backup(FlowContext(vault=vault, prompter=answers, server_url=url), EMAIL)


def recover(client: ServiceClient, phases: Phases, account_id: uuid.UUID) -> bytes:
    """The OPRF round trip, Argon2id and the proof: the data key."""
    with phases.time("oprf"):
        recovering, blinded = escrow.start(PASSCODE)
        challenge = client.recovery_evaluate(blinded)
    kdf = to_crypto_kdf(challenge.kdf)
    context: dict[str, Any] = {
        "account_id": account_id,
        "key_version": challenge.key_version,
        "attempt_id": challenge.attempt_id,
        "challenge": challenge.challenge,
    }
    # recover() = finalize, Argon2id, HKDF, sign: its cost with the smallest Argon2id is
    # everything but Argon2id; the difference to the real run is Argon2id.
    tiny = elapsed(
        lambda: escrow.recover(recovering, challenge.evaluated_element, kdf=TINY, **context)
    )
    phases.ms["oprf"] += tiny
    start = time.perf_counter()
    recovery = escrow.recover(recovering, challenge.evaluated_element, kdf=kdf, **context)
    phases.add("argon2id (3 runs)", (time.perf_counter() - start) * 1000 - tiny)
    with phases.time("proof"):
        granted = client.recovery_proof(challenge.attempt_id, recovery.signature)
        return recovery.unwrap(granted.wrapped_data_key)


def renew(client: ServiceClient, phases: Phases, account_id: uuid.UUID, data_key: bytes) -> None:
    """The passcode again under a new key version, and the check-in hash, as the flow does."""
    with phases.time("renew passcode"):
        renewing, blinded = escrow.start(PASSCODE)
        offer = client.passcode_evaluate(blinded)
    kdf = to_crypto_kdf(offer.kdf)
    kdf = kdf if kdf.salt else kdf.with_new_salt()
    context: dict[str, Any] = {
        "account_id": account_id,
        "key_version": offer.key_version,
        "data_key": data_key,
        "challenge": offer.challenge,
        "has_passcode": offer.has_passcode,
    }
    tiny = elapsed(lambda: escrow.register(renewing, offer.evaluated_element, kdf=TINY, **context))
    phases.ms["renew passcode"] += tiny
    start = time.perf_counter()
    registration = escrow.register(renewing, offer.evaluated_element, kdf=kdf, **context)
    phases.add("argon2id (3 runs)", (time.perf_counter() - start) * 1000 - tiny)
    with phases.time("renew passcode"):
        client.register_passcode(
            PasscodeRegistration(
                registration_id=offer.registration_id,
                key_version=offer.key_version,
                auth_public_key=registration.auth_public_key,
                wrapped_data_key=registration.wrapped_data_key,
                kdf=to_wire_kdf(kdf),
                possession_proof=registration.possession_proof,
            )
        )
    check_in = kdf.with_new_salt()
    phases.add("argon2id (3 runs)", elapsed(lambda: hash_passcode(PASSCODE, check_in)))


def run(root: Path, url: str, mailer: MemoryMailer) -> int:
    """Transfer device A's backup to device B, phase by phase; 0 when the goal is met."""
    enable_device_a(root, url, mailer)
    vault = Vault(root / "b", keystore="file")
    phases = Phases()
    with ServiceClient.connect(url) as client:
        client.config()  # the connection is set up, as the app does before a flow
        with phases.time("verification"):
            started = client.start_verification(EMAIL, Purpose.TRANSFER, "bench")
        code = wait_for_code(mailer, 2)  # the person reads the mail: not the program's time
        with phases.time("verification"):
            session = client.confirm_session(started.verification_id, code)
        client.token = session.session_token
        data_key = recover(client, phases, session.account_id)
        with phases.time("download"):
            _, sealed = client.get_backup()
        with phases.time("decrypt"):
            plaintext = escrow.open_backup(data_key, sealed, account_id=session.account_id)
            remote = decode_payload(plaintext)
        with phases.time("merge"), vault.transaction() as data:
            added = merge_into(data, remote).added
        renew(client, phases, session.account_id, data_key)
    if len(added) != ACCOUNTS:
        raise RuntimeError(f"{len(added)} accounts arrived, not {ACCOUNTS}")

    total = sum(ms for name, ms in phases.ms.items() if not name.startswith("argon2id"))
    print(f"transfer of {ACCOUNTS} accounts over loopback ({len(sealed)} bytes sealed)")
    for name, ms in phases.ms.items():
        print(f"  {name:<18} {ms:8.1f} ms")
    verdict = "met" if total < GOAL_MS else "MISSED"
    print(f"  {'all but Argon2id':<18} {total:8.1f} ms   (goal < {GOAL_MS:.0f} ms: {verdict})")
    print("  Argon2id at the service's defaults: recovery, renewal and the check-in hash")
    return 0 if total < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
