"""Values on the channel between the student process and the grader: data only, never pickle.

Scalars travel as JSON; containers as tagged objects; numpy arrays and scalars as their raw
bytes with a plain dtype (numbers, booleans, strings, dates: never objects, never a pickle).
Richer values that are data too (a DataFrame, a Fraction, a date, a sympy expression...) travel
through the value codecs (``values``, ``registry``): each rebuilds its value from checked data
alone, with the receiver's own, untouched library.
What is not data travels as a reference: a function, a class or any other object becomes a
handle the other side reaches through the channel (``proxies``), a module its name. Containers
are matched by exact type: a subclass (a namedtuple, a student's ``list`` with its own methods)
keeps its behaviour as a handle instead of losing it as a plain copy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .arrays import PLAIN_KINDS, array_from_raw, raw_array
from .registry import codec_for, codec_named
from .values import NotData

MAX_DEPTH = 32
MAX_ITEMS = 5_000_000
TAG = "$"
VALUE = "v"  # a value codec's payload: {"$": "v", "t": codec tag, ..., "ref": optional handle}


class EncodingError(ValueError):
    """A value too deep or too large to send."""


class Opaque:
    """Stands for a value that could not cross: its type and repr, nothing else."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} from the student process: {self.text}>"


CONTAINERS = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}
KINDS = {name: kind for kind, name in CONTAINERS.items()}


def encode(value: Any, reference: Callable[[Any], dict | None], depth: int = 0) -> Any:
    """``value`` as JSON-able data; ``reference`` turns what is not data into a tagged handle."""
    if depth > MAX_DEPTH:
        raise EncodingError(f"nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if value is Ellipsis or value is NotImplemented:
        return {TAG: "const", "v": "..." if value is Ellipsis else "NotImplemented"}
    if isinstance(value, np.ndarray | np.generic):  # before int and float: np.float64 is a float
        return _encode_numpy(value, reference, depth)
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else {TAG: "float", "v": repr(value)}
    if kind is complex:
        return {TAG: "complex", "re": repr(value.real), "im": repr(value.imag)}
    if kind in CONTAINERS:
        if len(value) > MAX_ITEMS:
            raise EncodingError(f"a {kind.__name__} of {len(value)} items is too large")
        return {TAG: CONTAINERS[kind], "v": [encode(item, reference, depth + 1) for item in value]}
    if kind is dict:
        if len(value) > MAX_ITEMS:
            raise EncodingError(f"a dict of {len(value)} items is too large")
        pairs = [
            [encode(k, reference, depth + 1), encode(v, reference, depth + 1)]
            for k, v in value.items()
        ]
        return {TAG: "dict", "v": pairs}
    return _encode_other(value, reference, depth)


def _encode_numpy(value: Any, reference: Callable, depth: int) -> dict:
    array = np.asarray(value)
    if array.size > MAX_ITEMS:
        raise EncodingError(f"an array of {array.size} items is larger than {MAX_ITEMS}")
    if array.dtype.kind == "O":
        items = [encode(item, reference, depth + 1) for item in array.ravel().tolist()]
        return {TAG: "objects", "shape": list(array.shape), "v": items}
    if array.dtype.kind not in PLAIN_KINDS:  # structured records: reached through a handle
        return _as_reference(value, reference)
    return {TAG: "scalar" if isinstance(value, np.generic) else "array", **raw_array(array)}


def _encode_other(value: Any, reference: Callable, depth: int) -> Any:
    codec = codec_for(value)
    if codec is not None:
        try:
            payload = codec.encode(value, lambda item: encode(item, reference, depth + 1))
        except NotData:
            payload = None
        if payload is not None:
            handle = reference(value)  # the receiver's way back if it cannot rebuild the value
            if handle is not None:
                payload["ref"] = handle
            return {TAG: VALUE, "t": codec.tag, **payload}
    if isinstance(value, int):  # an int subclass (IntEnum, ...): its value
        return {TAG: "int", "v": int(value)}
    if isinstance(value, float):
        return {TAG: "float", "v": repr(float(value))}
    if isinstance(value, str):
        return str(value)
    return _as_reference(value, reference)


def _as_reference(value: Any, reference: Callable) -> dict:
    tagged = reference(value)
    if tagged is not None:
        return tagged
    return {TAG: "opaque", "type": type(value).__qualname__, "repr": _short_repr(value)}


def decode(data: Any, resolve: Callable[[dict], Any]) -> Any:
    """The value ``encode`` described; ``resolve`` turns handles back into objects."""
    if not isinstance(data, dict):
        return data
    kind = data.get(TAG)
    if kind == "int":
        return int(data["v"])
    if kind == "const":
        return ... if data.get("v") == "..." else NotImplemented
    if kind == "float":
        return float(data["v"])
    if kind == "complex":
        return complex(float(data["re"]), float(data["im"]))
    if kind == "array":
        return array_from_raw(data)
    if kind == "scalar":
        return array_from_raw(data)[()]
    if kind == "objects":
        items = [decode(item, resolve) for item in data["v"]]
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array.reshape(data["shape"])
    if kind in KINDS:
        return KINDS[kind](decode(item, resolve) for item in data["v"])
    if kind == "dict":
        return {decode(k, resolve): decode(v, resolve) for k, v in data["v"]}
    if kind == VALUE:
        return _decode_value(data, resolve)
    if kind == "opaque":
        return Opaque(str(data.get("type")), str(data.get("repr")))
    return resolve(data)


def _decode_value(data: dict, resolve: Callable[[dict], Any]) -> Any:
    """A value codec's payload, rebuilt here; where this side cannot (its library is missing,
    the payload is not one it accepts), the handle the sender attached, if any."""
    codec = codec_named(str(data.get("t")))
    try:
        if codec is None:
            raise NotData(f"no value codec {data.get('t')!r}")
        return codec.decode(data, lambda item: decode(item, resolve))
    except Exception:  # noqa: BLE001 - whatever the payload holds, the handle is the object
        if isinstance(data.get("ref"), dict):
            return resolve(data["ref"])
        raise


def _short_repr(value: Any, limit: int = 200) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a student's __repr__ may raise
        text = f"(repr failed: {type(error).__name__})"
    return text if len(text) <= limit else text[: limit - 3] + "..."
