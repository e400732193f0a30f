"""``python -m otpkeep``: the same as the ``otpkeep`` command."""

from __future__ import annotations

import sys

from otpkeep.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
