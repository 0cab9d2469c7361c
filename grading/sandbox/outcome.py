"""What the host observed of one sandbox run (the scores themselves are in the results files)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxRun:
    timed_out: bool
    returncode: int | None
    log: str
    seconds: float
