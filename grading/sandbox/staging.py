"""The submission folder as ``otter run`` finds it: the notebook with the files beside it.

``otter run`` on an export zip extracts the whole zip into the submission folder, so a cell that
reads ``data/points.csv`` finds what the student handed in. The engines that run Otter itself
(``--mode otter``: a container per submission, or the local otter engine) lay out that folder
here, on the host, and give it to the sandbox read-only.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath


def stage_submission(folder: Path, submission: Path, files: Mapping[str, Path] | None) -> Path:
    """Copy the submission and its files into ``folder``; returns the submission's copy.

    Names are relative POSIX paths checked at ingest; one that would leave the folder (or land
    on the submission itself) is skipped here again, as this copy runs on the host.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in (files or {}).items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or str(relative) == submission.name:
            continue
        target = folder.joinpath(*relative.parts)
        with contextlib.suppress(OSError):  # "a" and "a/b" both: the first one wins
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    copy = folder / submission.name
    shutil.copyfile(submission, copy)
    return copy
