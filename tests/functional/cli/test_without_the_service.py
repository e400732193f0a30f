"""The authenticator without the ``server`` extra: device commands work, the service says why not.

``pip install otpkeep`` installs the authenticator alone; ``otpkeep[server]`` adds the
service's web, database and metrics stacks. Each command here runs with those packages
made unimportable, as on an installation without the extra.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from otpkeep.cli.server import SERVICE_PACKAGES

if TYPE_CHECKING:
    from conftest import Cli

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
WITHOUT = """
import sys
for name in {packages!r}:
    sys.modules[name] = None  # import name -> ModuleNotFoundError, as when it is not installed
sys.argv = [{program!r}, *{args!r}]
from {module} import main
sys.exit(main())
"""


def _without_service(
    cli: Cli, *args: str, server: bool = False
) -> subprocess.CompletedProcess[str]:
    program, module = (
        ("otpkeep-server", "otpkeep.cli.server") if server else ("otpkeep", "otpkeep.cli.main")
    )
    source = WITHOUT.format(
        packages=sorted(SERVICE_PACKAGES), program=program, args=list(args), module=module
    )
    return subprocess.run(
        [sys.executable, "-c", source],
        capture_output=True,
        text=True,
        env=cli.env(),
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("list",), 0),
        (("code", "GitHub"), 0),
        (("export", "--format", "otpauth", "-"), 0),
        (("notifications",), 0),
        (("backup", "status"), 0),
        (("devices",), 1),  # backup is off: one sentence, no service needed to say so
        (("tui",), 2),  # no terminal: it says so
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_device_commands_need_no_service_stack(
    cli: Cli, args: tuple[str, ...], status: int
) -> None:
    cli.ok("add", "--issuer", "GitHub", "--name", "ana", "--secret", RFC_SECRET)
    ran = _without_service(cli, *args)
    assert ran.returncode == status, ran.stderr
    assert "Traceback" not in ran.stderr
    assert "ModuleNotFoundError" not in ran.stderr


def test_the_service_command_names_the_extra_it_needs(cli: Cli) -> None:
    ran = _without_service(cli, "migrate", server=True)
    assert ran.returncode == 1
    assert "Traceback" not in ran.stderr
    assert "pip install 'otpkeep[server]'" in ran.stderr
