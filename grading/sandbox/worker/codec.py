"""Values on the channel between the student process and the grader: data only, never pickle.

Scalars travel as JSON; containers as tagged objects; numpy arrays and scalars as their raw
bytes with a plain dtype (numbers, booleans, strings, dates: never objects, never a pickle).
What cannot be copied as data travels as a reference: a callable becomes a handle the other
side calls through the channel, a module its name, anything else an opaque description that no
test can mistake for a right answer.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from typing import Any

import numpy as np

MAX_DEPTH = 32
MAX_ITEMS = 5_000_000
TAG = "$"


class EncodingError(ValueError):
    """A value too deep or too large to send."""


class Opaque:
    """Stands for a student object that is not data: its type and repr, nothing else."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} from the student process: {self.text}>"


PLAIN_KINDS = "biufcUSMm"  # dtypes that are data: no objects, no structured records


def _raw(array: np.ndarray) -> dict:
    """An array's bytes, dtype and shape (what ``.npy`` holds, without its slow header)."""
    if not array.flags.c_contiguous:  # (np.ascontiguousarray would make a 0-d array 1-d)
        array = array.copy(order="C")
    return {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "b64": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def _from_raw(data: dict) -> np.ndarray:
    dtype = np.dtype(str(data["dtype"]))
    if dtype.kind not in PLAIN_KINDS:
        raise ValueError(f"refusing an array of dtype {dtype}")
    shape = tuple(int(n) for n in data["shape"])
    flat = np.frombuffer(base64.b64decode(data["b64"]), dtype=dtype)
    return flat.reshape(shape).copy()  # writeable, and owning its memory


def encode(value: Any, reference: Callable[[Any], dict | None], depth: int = 0) -> Any:
    """``value`` as JSON-able data; ``reference`` turns what is not data into a tagged handle."""
    if depth > MAX_DEPTH:
        raise EncodingError(f"nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.ndarray | np.generic):  # before int and float: np.float64 is a float
        array = np.asarray(value)
        if array.size > MAX_ITEMS:
            raise EncodingError(f"an array of {array.size} items is larger than {MAX_ITEMS}")
        if array.dtype.kind not in PLAIN_KINDS:
            items = [encode(item, reference, depth + 1) for item in array.ravel().tolist()]
            return {TAG: "objects", "shape": list(array.shape), "v": items}
        kind = "scalar" if isinstance(value, np.generic) else "array"
        return {TAG: kind, **_raw(array)}
    if isinstance(value, int):
        return value if type(value) is int else {TAG: "int", "v": int(value)}
    if isinstance(value, float):
        if type(value) is float and math.isfinite(value):
            return value
        return {TAG: "float", "v": repr(float(value))}
    if isinstance(value, complex):
        return {TAG: "complex", "re": repr(value.real), "im": repr(value.imag)}
    if isinstance(value, list | tuple | set | frozenset):
        if len(value) > MAX_ITEMS:
            raise EncodingError(f"a {type(value).__name__} of {len(value)} items is too large")
        kind = next(k for k in ("list", "tuple", "set", "frozenset") if isinstance(value, KINDS[k]))
        return {TAG: kind, "v": [encode(item, reference, depth + 1) for item in value]}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise EncodingError(f"a dict of {len(value)} items is too large")
        pairs = [
            [encode(k, reference, depth + 1), encode(v, reference, depth + 1)]
            for k, v in value.items()
        ]
        return {TAG: "dict", "v": pairs}
    tagged = reference(value)
    if tagged is not None:
        return tagged
    return {TAG: "opaque", "type": type(value).__qualname__, "repr": _short_repr(value)}


KINDS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def decode(data: Any, resolve: Callable[[dict], Any]) -> Any:
    """The value ``encode`` described; ``resolve`` turns handles back into objects."""
    if not isinstance(data, dict):
        return data
    kind = data.get(TAG)
    if kind == "int":
        return int(data["v"])
    if kind == "float":
        return float(data["v"])
    if kind == "complex":
        return complex(float(data["re"]), float(data["im"]))
    if kind == "array":
        return _from_raw(data)
    if kind == "scalar":
        return _from_raw(data)[()]
    if kind == "objects":
        items = [decode(item, resolve) for item in data["v"]]
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array.reshape(data["shape"])
    if kind in KINDS:
        return KINDS[kind](decode(item, resolve) for item in data["v"])
    if kind == "dict":
        return {decode(k, resolve): decode(v, resolve) for k, v in data["v"]}
    if kind == "opaque":
        return Opaque(str(data.get("type")), str(data.get("repr")))
    return resolve(data)


def _short_repr(value: Any, limit: int = 200) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a student's __repr__ may raise
        text = f"(repr failed: {type(error).__name__})"
    return text if len(text) <= limit else text[: limit - 3] + "..."
