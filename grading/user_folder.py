"""This user's private (0700) folder: where the grading service and the warm command line keep
their sockets and the container engine runs its commands.

Below both the sandbox and the command line, which both need it. Standard library only: the
warm command line imports it before anything else (``grading/warm_cli.py``).
"""

from __future__ import annotations

import os
from pathlib import Path


def private_folder() -> Path:
    """This user's private (0700) folder for the sockets of the service and of the warm
    command line; refused if another user owns it or others may open it."""
    import tempfile  # only when asked: ``python -m grading`` without a warm server never is

    root = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(root) / f"grading-service-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder} must be a folder of yours that only you can open (0700)")
    return folder
