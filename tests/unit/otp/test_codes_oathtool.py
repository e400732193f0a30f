"""Codes cross-checked against oathtool (OATH Toolkit) on random secrets, hashes and times."""

import random
import shutil
import subprocess

import pytest

from otpkeep.otp.account import Algorithm
from otpkeep.otp.codes import hotp, totp

OATHTOOL = shutil.which("oathtool")
pytestmark = pytest.mark.skipif(
    OATHTOOL is None, reason="oathtool is not installed: cross-check against it skipped"
)


def _oathtool(*args: str, secret: bytes) -> str:
    assert OATHTOOL is not None
    result = subprocess.run(
        [OATHTOOL, *args, "-"],
        input=secret.hex(),
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    return result.stdout.strip()


def _cases(seed: int, count: int) -> list[tuple[bytes, Algorithm, int, int, int]]:
    rng = random.Random(seed)
    return [
        (
            rng.randbytes(rng.choice([10, 16, 20, 32, 64])),
            rng.choice(list(Algorithm)),
            rng.randint(6, 8),
            rng.choice([15, 30, 60, rng.randint(1, 300)]),
            rng.randint(0, 2**33),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize(("secret", "algorithm", "digits", "period", "at"), _cases(6238, 30))
def test_totp_agrees_with_oathtool(
    secret: bytes, algorithm: Algorithm, digits: int, period: int, at: int
) -> None:
    """For random secrets, hashes, 6-8 digits, periods and times, oathtool gives the same code."""
    expected = _oathtool(
        f"--totp={algorithm.value}",
        f"--digits={digits}",
        f"--time-step-size={period}s",
        f"--now=@{at}",
        secret=secret,
    )
    assert totp(secret, at, period=period, digits=digits, algorithm=algorithm) == expected


@pytest.mark.parametrize(
    ("secret", "digits", "counter"),
    [(case[0], case[2], case[4] % 2**40) for case in _cases(4226, 12)],
)
def test_hotp_agrees_with_oathtool(secret: bytes, digits: int, counter: int) -> None:
    """For random secrets, 6-8 digits and counters, oathtool's HOTP (SHA1) gives the same code."""
    expected = _oathtool("--hotp", f"--digits={digits}", f"--counter={counter}", secret=secret)
    assert hotp(secret, counter, digits=digits) == expected
