"""The `trellis` console command: Django's management commands under one name.

`trellis frameworks list` runs the `frameworks` management command with `list`;
`trellis migrate` runs Django's own `migrate`.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "trellis"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
