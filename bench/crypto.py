"""Benchmark of the backup cryptography: run with `.venv/bin/python bench/crypto.py`.

Prints: OPRF evaluations per second on the service (key derivation from the seed
included, as on every request), one Argon2id stretch and one full device-side
recovery at the default parameters, sealing and opening a 64 KiB backup, and the
time an offline search of every 4- and 6-digit passcode would take on this machine
for someone who holds the vault seed as well as the database.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.crypto.kdf import KdfParams, stretch

if TYPE_CHECKING:
    from collections.abc import Callable


def _timed(action: Callable[[], object], repeat: int) -> float:
    """The best wall time of one call, in seconds, over ``repeat`` rounds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    seed = os.urandom(32)
    account = uuid.uuid4()
    _, blinded = escrow.start("2580")

    count = 2000
    start = time.perf_counter()
    for _ in range(count):
        escrow.evaluate(seed, account, 1, blinded)
    per_second = count / (time.perf_counter() - start)
    print(f"OPRF evaluations (service, key derived per call): {per_second:,.0f} per second")

    params = KdfParams().with_new_salt()
    stretch_seconds = _timed(lambda: stretch(os.urandom(64), params), repeat=5)
    print(
        f"Argon2id stretch at the defaults (m={params.memory_kib} KiB, "
        f"t={params.iterations}, p={params.lanes}): {stretch_seconds * 1000:.0f} ms"
    )

    data_key = escrow.new_data_key()
    state, blinded = escrow.start("2580")
    registration = escrow.register(
        state,
        escrow.evaluate(seed, account, 1, blinded),
        account_id=account,
        key_version=1,
        kdf=params,
        data_key=data_key,
        challenge=escrow.new_challenge(),
        has_passcode=False,
    )

    def recover() -> None:
        state, blinded = escrow.start("2580")
        evaluated = escrow.evaluate(seed, account, 1, blinded)
        recovery = escrow.recover(
            state,
            evaluated,
            account_id=account,
            key_version=1,
            kdf=params,
            attempt_id=uuid.uuid4(),
            challenge=escrow.new_challenge(),
        )
        if recovery.unwrap(registration.wrapped_data_key) != data_key:
            raise SystemExit("recovery returned another data key")

    recover_seconds = _timed(recover, repeat=3)
    print(f"Full device-side recovery at the defaults: {recover_seconds * 1000:.0f} ms")

    backup = os.urandom(64 * 1024)
    sealed = escrow.seal_backup(data_key, backup, account_id=account)
    seal_seconds = _timed(lambda: escrow.seal_backup(data_key, backup, account_id=account), 50)
    open_seconds = _timed(lambda: escrow.open_backup(data_key, sealed, account_id=account), 50)
    print(
        f"Seal a 64 KiB backup: {seal_seconds * 1e6:.0f} us; open it: {open_seconds * 1e6:.0f} us"
    )

    cores = os.cpu_count() or 1
    for digits in (4, 6):
        total = 10**digits * stretch_seconds
        print(
            f"Offline search of all {digits}-digit passcodes WITH the seed: "
            f"{total / 3600:,.1f} core-hours ({total / cores / 3600:,.1f} h on {cores} cores here)"
        )
    print("Offline search WITHOUT the seed: impossible (no evaluation to check a guess against)")


if __name__ == "__main__":
    main()
