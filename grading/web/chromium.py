"""Debian's Chromium, headless, as the benchmark and the browser tests start it.

Never a browser a test tool downloads (that cannot work offline); the flags keep it from
reaching the network on its own (updates, sync, background requests).
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
