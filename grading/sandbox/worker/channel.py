"""Length-prefixed JSON messages over a pair of pipes, with a deadline on every read."""

from __future__ import annotations

import contextlib
import json
import os
import select
import struct
import time

HEADER = struct.Struct(">Q")
MAX_MESSAGE = 64 * 1024 * 1024


class ChannelClosed(EOFError):
    """The other process is gone."""


class ChannelTimeout(TimeoutError):
    """No message before the deadline."""


class Channel:
    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd

    def send(self, message: dict) -> None:
        payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
        if len(payload) > MAX_MESSAGE:
            raise ValueError(f"message of {len(payload)} bytes is larger than {MAX_MESSAGE}")
        data = HEADER.pack(len(payload)) + payload
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.write_fd, view)
            except (BrokenPipeError, OSError) as error:
                raise ChannelClosed(str(error)) from None
            view = view[written:]

    def readable(self, deadline: float) -> bool:
        """Whether a message has started to arrive before ``deadline`` (nothing is consumed)."""
        left = max(0.0, deadline - time.monotonic())
        return bool(select.select([self.read_fd], [], [], left)[0])

    def recv(self, deadline: float | None = None) -> dict:
        """The next message; ``deadline`` is a ``time.monotonic()`` value."""
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))
        if size > MAX_MESSAGE:
            raise ChannelClosed(f"announced a message of {size} bytes")
        try:
            message = json.loads(self._read(size, deadline))
        except (ValueError, RecursionError) as error:  # the student process may write anything
            raise ChannelClosed(f"a malformed message ({type(error).__name__})") from None
        if not isinstance(message, dict):
            raise ChannelClosed("a message that is not an object")
        return message

    def _read(self, size: int, deadline: float | None) -> bytes:
        chunks, missing = [], size
        while missing:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.read_fd], [], [], left)[0]:
                    raise ChannelTimeout(f"no message within the time limit ({missing} bytes due)")
            chunk = os.read(self.read_fd, min(missing, 1 << 20))
            if not chunk:
                raise ChannelClosed("end of stream")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def pipe_pair() -> tuple[tuple[int, int], tuple[int, int]]:
    """(parent's read, parent's write), (child's read, child's write)."""
    to_parent_r, to_parent_w = os.pipe()
    to_child_r, to_child_w = os.pipe()
    return (to_parent_r, to_child_w), (to_child_r, to_parent_w)
