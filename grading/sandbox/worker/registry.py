"""The value codecs in the order they are tried, found by a value's type or by their tag."""

from __future__ import annotations

import functools
from typing import Any

from . import values_numpy, values_pandas, values_science, values_std
from .values import ValueCodec, type_name

CODECS: list[ValueCodec] = [
    *values_std.CODECS,
    *values_numpy.CODECS,
    *values_pandas.CODECS,
    *values_science.CODECS,
]


@functools.cache
def _tables() -> tuple[dict[str, ValueCodec], dict[str, ValueCodec], dict[str, ValueCodec]]:
    by_type = {name: codec for codec in CODECS for name in codec.type_names}
    by_base = {name: codec for codec in CODECS for name in codec.base_names}
    by_tag = {codec.tag: codec for codec in CODECS}
    return by_type, by_base, by_tag


def codec_for(value: Any) -> ValueCodec | None:
    by_type, by_base, _ = _tables()
    kind = type(value)
    codec = by_type.get(type_name(kind))
    if codec is not None or not by_base:
        return codec
    for base in getattr(kind, "__mro__", ())[1:]:
        codec = by_base.get(type_name(base))
        if codec is not None:
            return codec
    return None


def codec_named(tag: str) -> ValueCodec | None:
    return _tables()[2].get(tag)
