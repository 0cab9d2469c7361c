"""The value codecs: richer values that are still data, one small named codec per type family.

A codec turns a value into checked JSON-able data on one side and rebuilds it on the other with
that side's own library: a DataFrame the student built reaches the tests as a DataFrame of the
grader's pandas, made from its columns' bytes; nothing of the student's objects (methods,
patched classes) crosses. ``decode`` must accept only what ``encode`` makes and raise on
anything else: on the grader's side the payload comes from the student process.

Codecs are found (``registry``) by the exact type of the value (``package.qualname``), or, for
families such as sympy's expressions, by a base class in its MRO. They import their library only
when a value of it is met, so a notebook that never uses pandas never imports it here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Encoder = Callable[[Any], Any]  # encodes one nested item (depth-limited, references resolved)


class NotData(ValueError):
    """This value (or payload) is not one the codec rebuilds faithfully: use a handle."""


@dataclass(frozen=True)
class ValueCodec:
    tag: str  # on the wire
    type_names: tuple[str, ...]  # exact types it encodes, as ``package.qualname``
    encode: Callable[[Any, Encoder], dict]  # value, encode_item -> payload
    decode: Callable[[dict, Encoder], Any]  # payload, decode_item -> value
    base_names: tuple[str, ...] = ()  # or any subclass of these (``package.qualname``)


def type_name(kind: type) -> str:
    """``package.qualname``: the same for pandas 2 (``pandas.core.frame``) and 3 (``pandas``)."""
    package = str(getattr(kind, "__module__", None) or "?").split(".")[0]
    return f"{package}.{getattr(kind, '__qualname__', '?')}"


def checked(condition: bool, what: str) -> None:
    """Refuse a payload that is not what this codec's ``encode`` makes."""
    if not condition:
        raise NotData(what)
