"""Benchmark of the backup cryptography: run with `.venv/bin/python bench/crypto.py`.

Prints: the service's OPRF evaluation beside its anchor (one bare ristretto255 scalar
multiplication; goal: at most 1.15x; ``--quick`` prints only that, and the test suite runs
it), one Argon2id stretch and one full device-side
recovery at the default parameters, sealing and opening a 64 KiB backup, and the
time an offline search of every 4- and 6-digit passcode would take on this machine
for someone who holds the vault seed as well as the database.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow, sodium
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


def _per_call(action: Callable[[], object], count: int, rounds: int = 7) -> list[float]:
    """Seconds per call of ``action``, one figure per round of ``count`` calls."""
    figures = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            action()
        figures.append((time.perf_counter() - start) / count)
    return figures


def oprf_against_its_anchor(count: int) -> None:
    """The service's OPRF evaluation (key from the cache) beside one bare scalar multiplication.

    The anchor is libsodium's ``crypto_scalarmult_ristretto255`` on the same element: the
    evaluation adds the key check, the element check and the binding's overhead.
    """
    seed = os.urandom(32)
    salt = escrow.new_oprf_salt()
    key = escrow.oprf_key(seed, uuid.uuid4(), 1, salt)
    _, blinded = escrow.start("2580")
    evaluation = _per_call(lambda: escrow.evaluate(key, blinded), count)
    anchor = _per_call(lambda: sodium.scalar_mult(key, blinded), count)
    ratios = sorted(e / a for e, a in zip(evaluation, anchor, strict=True))
    print(
        f"OPRF evaluation (service, cached key): {min(evaluation) * 1e6:.0f}-"
        f"{max(evaluation) * 1e6:.0f} us; anchor crypto_scalarmult_ristretto255: "
        f"{min(anchor) * 1e6:.0f}-{max(anchor) * 1e6:.0f} us; ratio "
        f"{ratios[0]:.2f}-{ratios[-1]:.2f}x (median {ratios[len(ratios) // 2]:.2f}x; goal <= 1.15x)"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    oprf_against_its_anchor(200 if quick else 3000)
    if quick:
        return
    seed = os.urandom(32)
    account = uuid.uuid4()
    salt = escrow.new_oprf_salt()
    key = escrow.oprf_key(seed, account, 1, salt)

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
        escrow.evaluate(key, blinded),
        account_id=account,
        registration_id=uuid.uuid4(),
        key_version=1,
        kdf=params,
        data_key=data_key,
        challenge=escrow.new_challenge(),
    )

    def recover() -> None:
        state, blinded = escrow.start("2580")
        evaluated = escrow.evaluate(key, blinded)
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
    sealed = escrow.seal_backup(data_key, backup, account_id=account, version=1)
    seal_seconds = _timed(
        lambda: escrow.seal_backup(data_key, backup, account_id=account, version=1), 50
    )
    open_seconds = _timed(
        lambda: escrow.open_backup(data_key, sealed, account_id=account, version=1), 50
    )
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
