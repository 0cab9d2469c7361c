"""Hand grading in the browser: ``python -m grading mark --out DIR``.

A local web app on 127.0.0.1 (tornado, the server Jupyter runs on) over a ``grade`` output
folder: grade by question with rubrics, from the keyboard, several graders at once, anonymous
by default. It reads and writes the folder's gradebook only through ``Gradebook`` methods, so
``export``, ``report``, feedback and ``manual export``/``import`` see the same marks.

``marking`` is the service (queue, pages' data, changes), ``app`` the routes, ``security`` the
checks every request passes, ``rubrics`` the rubric files.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import socket
from collections.abc import Callable
from pathlib import Path

from ..assignments import Assignment

__all__ = ["serve"]


def serve(
    out_dir: Path,
    assignment: Assignment,
    *,
    port: int = 0,
    rubric_file: Path | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the marking app until SIGINT/SIGTERM; ``announce`` gets the URL with its token."""
    from .marking import Marking

    marking = Marking(out_dir, assignment, rubric_file)
    try:
        asyncio.run(_serve(marking, port, announce))
    finally:
        marking.close()


async def _serve(marking, port: int, announce: Callable[[str], None]) -> None:
    import tornado.httpserver
    import tornado.netutil

    from .app import make_app

    sockets = tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET)
    bound = sockets[0].getsockname()[1]
    token = secrets.token_hex(24)
    server = tornado.httpserver.HTTPServer(make_app(marking, port=bound, token=token))
    server.add_sockets(sockets)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    for notice in marking.notices:
        announce(f"note: {notice}")
    announce(
        f"Hand grading {marking.assignment.name} ({len(marking.entries)} answer sheets) at:\n"
        f"    http://127.0.0.1:{bound}/?token={token}\n"
        "Open it in a browser; press Ctrl+C to stop."
    )
    await stopped.wait()
    server.stop()
