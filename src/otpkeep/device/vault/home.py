"""Where the device keeps its files: ``--home``, ``OTPKEEP_HOME``, or the user data folder.

:func:`resolve_home` is the answer; :func:`home_text` is the same answer as text, told
without pathlib or platformdirs where that can be done exactly (for ``otpkeep code``).
"""

from __future__ import annotations

import os
import posixpath
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

HOME_ENV = "OTPKEEP_HOME"
APP_NAME = "otpkeep"


def default_home() -> Path:
    """The platform's user data folder for otpkeep (``~/.local/share/otpkeep`` on Linux)."""
    from pathlib import Path  # noqa: PLC0415 - kept off the path of home_text

    import platformdirs  # noqa: PLC0415 - only needed when no home is given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def _chosen(explicit: str | os.PathLike[str] | None) -> str | os.PathLike[str] | None:
    """``--home``, else ``OTPKEEP_HOME`` (stripped); None when neither is given."""
    if explicit:
        return explicit
    return os.environ.get(HOME_ENV, "").strip() or None


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder chosen by ``--home``, else ``OTPKEEP_HOME``, else :func:`default_home`."""
    from pathlib import Path  # noqa: PLC0415 - kept off the path of home_text

    chosen = _chosen(explicit)
    return default_home() if chosen is None else Path(chosen).expanduser()


def home_text(explicit: str | None = None) -> str | None:
    """:func:`resolve_home`'s folder as text; None when only platformdirs can tell it.

    The user data folder is told here only on Linux (not Android) with an absolute
    ``HOME``, as every platformdirs 4 tells it there: ``$XDG_DATA_HOME/otpkeep`` when that
    is an absolute path, ``~/.local/share/otpkeep`` when it is unset or empty (a relative
    one, which platformdirs releases read differently, is left to platformdirs). A ``~``
    that cannot be expanded is also left to :func:`resolve_home`, which refuses it.
    """
    chosen = _chosen(explicit)
    if chosen is not None:
        folder = os.path.expanduser(chosen)  # noqa: PTH111 - the same as Path.expanduser, without pathlib
        return None if folder.startswith("~") else folder
    if not sys.platform.startswith("linux") or hasattr(sys, "getandroidapilevel"):
        return None
    if "ANDROID_DATA" in os.environ or "ANDROID_ROOT" in os.environ:
        return None
    home = os.environ.get("HOME", "")
    if not posixpath.isabs(home):
        return None
    data = os.environ.get("XDG_DATA_HOME", "")
    if not data:
        data = os.path.expanduser("~/.local/share")  # noqa: PTH111 - as platformdirs does
    elif not posixpath.isabs(data):
        return None
    return os.path.join(data, APP_NAME)  # noqa: PTH118 - as platformdirs does
