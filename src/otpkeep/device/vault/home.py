"""Where the device keeps its files: ``--home``, ``OTPKEEP_HOME``, or the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "OTPKEEP_HOME"
APP_NAME = "otpkeep"


def default_home() -> Path:
    """The platform's user data folder for otpkeep (``~/.local/share/otpkeep`` on Linux)."""
    import platformdirs  # noqa: PLC0415 - only needed when no home is given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder chosen by ``--home``, else ``OTPKEEP_HOME``, else :func:`default_home`."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(HOME_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return default_home()
