"""Process state that Otter's tests share with the student's code because, in Otter, both run
in one kernel: the global random generators. Here they live in two processes, so their state
follows the execution: into the student process before its code runs for a test, back into
the grader after. A test that seeds numpy and then calls the student's function sees the draws
it would see in Otter, and so do the cells after it.

Only numpy's legacy global generator (``np.random.seed``, ``np.random.rand``...) and the
``random`` module are global; a ``Generator`` is a value and crosses as one (``values_numpy``).
"""

from __future__ import annotations

import ctypes
import random
import struct
from typing import Any

import numpy as np

from .arrays import array_from_raw, raw_array

MT_WORDS = 624


def rng_state() -> dict:
    """Both global generators' state, as data."""
    numpy_state = np.random.get_state(legacy=False)
    version, words, gauss = random.getstate()
    return {
        "np": {
            "key": raw_array(numpy_state["state"]["key"]),
            "pos": int(numpy_state["state"]["pos"]),
            "has_gauss": int(numpy_state["has_gauss"]),
            "gauss": float(numpy_state["gauss"]),
        },
        "py": {"version": version, "words": list(words), "gauss": gauss},
    }


def rng_fingerprint() -> int:
    """A hash of both generators' state: tells whether it moved since it was last seen. Taken
    around every call a test makes into the student process, so read from the generators'
    memory where it can be (~10 us, ``_NumpyMemory``), else through ``get_state`` (~40 us)."""
    memory = _numpy_memory()
    if memory is not None:
        numpy_part: object = memory.read()
    else:
        state = np.random.get_state(legacy=False)
        numpy_part = (state["state"]["key"].tobytes(), state["state"]["pos"], state["has_gauss"],
                      state["gauss"])  # fmt: skip
    return hash((numpy_part, random.getstate()))


class _NumpyMemory:
    """The bytes of numpy's legacy global generator that change when it draws: its MT19937 key
    and position, and the cached normal deviate (``has_gauss``, ``gauss``), which lives in the
    ``RandomState`` object itself and which ``_find_gauss`` locates once."""

    def __init__(self, generator: Any, gauss_offset: int) -> None:
        self.generator, self.bits = generator, generator._bit_generator
        self.state = ctypes.string_at  # bound once: a read is one call
        self.state_address = self.bits.ctypes.state_address
        self.gauss_address = id(generator) + gauss_offset

    def current(self) -> bool:
        return (
            np.random.mtrand._rand is self.generator and self.generator._bit_generator is self.bits
        )

    def read(self) -> tuple[bytes, bytes]:
        return (self.state(self.state_address, MT_STATE_BYTES), self.state(self.gauss_address, 16))


MT_STATE_BYTES = MT_WORDS * 4 + 4  # uint32 key[624]; int pos
_memory: list[_NumpyMemory | None] = []


def _numpy_memory() -> _NumpyMemory | None:
    if _memory and (_memory[0] is None or _memory[0].current()):
        return _memory[0]
    generator = np.random.mtrand._rand
    offset = _find_gauss(generator) if generator._bit_generator.state["bit_generator"] == (
        "MT19937") else None  # fmt: skip
    _memory[:] = [None if offset is None else _NumpyMemory(generator, offset)]
    return _memory[0]


def _find_gauss(generator: Any) -> int | None:
    """The offset, inside the ``RandomState`` object, of ``has_gauss`` (an int, then padding,
    then the double ``gauss``): found by writing known values through ``set_state`` and
    looking for them in the object's bytes; None if they are not where they must be."""
    size = type(generator).__basicsize__
    saved = generator.get_state()
    try:
        marker = 1.2345678912345679e-3
        generator.set_state((*saved[:3], 1, marker))
        found = ctypes.string_at(id(generator), size).find(struct.pack("d", marker))
        if found < 8 or found % 8 or struct.unpack_from("i", ctypes.string_at(id(generator), size),
                                                        found - 8)[0] != 1:  # fmt: skip
            return None
        generator.set_state((*saved[:3], 0, 0.0))
        raw = ctypes.string_at(id(generator), size)
        if struct.unpack_from("id", raw, found - 8) != (0, 0.0):
            return None
        return found - 8
    finally:
        generator.set_state(saved)


def set_rng_state(state: Any) -> None:
    """Take over a state ``rng_state`` made (in the other process); raise ValueError on
    anything else, so that a malformed state changes nothing."""
    if not isinstance(state, dict):
        raise ValueError("a random state must be a mapping")
    numpy_part, python_part = state.get("np"), state.get("py")
    if not isinstance(numpy_part, dict) or not isinstance(python_part, dict):
        raise ValueError("a random state needs its numpy and random parts")
    try:
        key = array_from_raw(numpy_part.get("key"))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"numpy's key is not an array ({type(error).__name__})") from None
    if key.dtype != np.uint32 or key.shape != (MT_WORDS,):
        raise ValueError("numpy's key must be 624 unsigned 32-bit words")
    pos, has_gauss, gauss = (numpy_part.get(k) for k in ("pos", "has_gauss", "gauss"))
    if type(pos) is not int or type(has_gauss) is not int or not isinstance(gauss, int | float):
        raise ValueError("numpy's position and gauss must be numbers")
    version, words = python_part.get("version"), python_part.get("words")
    python_gauss = python_part.get("gauss")
    if not isinstance(words, list) or len(words) != MT_WORDS + 1:
        raise ValueError("random's state must hold 625 words")
    if not all(type(w) is int for w in words) or type(version) is not int:
        raise ValueError("random's state must hold integers")
    if python_gauss is not None and not isinstance(python_gauss, int | float):
        raise ValueError("random's gauss must be a number or null")
    random.setstate((version, tuple(words), python_gauss))
    np.random.set_state(
        {
            "bit_generator": "MT19937",
            "state": {"key": key, "pos": pos},
            "has_gauss": has_gauss,
            "gauss": float(gauss),
        }
    )
