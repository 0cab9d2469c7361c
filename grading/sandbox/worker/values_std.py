"""Value codecs for the standard library's data types: numbers, dates, bytes, collections."""

from __future__ import annotations

import base64
import collections
import datetime as dt
import decimal
import fractions
import pathlib
import types
import uuid

from .values import Encoder, NotData, ValueCodec, checked, type_name

# defaultdict factories that are themselves data: anything else keeps the dict a handle
FACTORIES = {f.__name__: f for f in (list, dict, set, int, float, str, tuple, frozenset)}


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    checked(isinstance(value, str), f"{key} must be text")
    return value


def _int(data: dict, key: str) -> int:
    value = data.get(key)
    checked(type(value) is int, f"{key} must be an integer")
    return value


# -- numbers ------------------------------------------------------------------------------------


def _fraction(value: fractions.Fraction, _: Encoder) -> dict:
    return {"n": value.numerator, "d": value.denominator}


def _to_fraction(data: dict, _: Encoder) -> fractions.Fraction:
    return fractions.Fraction(_int(data, "n"), _int(data, "d"))


def _decimal(value: decimal.Decimal, _: Encoder) -> dict:
    return {"s": str(value)}


def _to_decimal(data: dict, _: Encoder) -> decimal.Decimal:
    return decimal.Decimal(_text(data, "s"))


# -- dates and times ----------------------------------------------------------------------------


def _zone(tzinfo: dt.tzinfo | None) -> dict:
    """A time zone as data: none, a fixed offset, or an IANA key."""
    if tzinfo is None:
        return {}
    if type(tzinfo) is dt.timezone:
        offset = tzinfo.utcoffset(None)
        return {"offset": offset.total_seconds(), "tzname": tzinfo.tzname(None)}
    key = getattr(tzinfo, "key", None)  # zoneinfo.ZoneInfo
    if type(tzinfo).__name__ == "ZoneInfo" and isinstance(key, str):
        return {"zone": key}
    raise NotData(f"time zone of type {type(tzinfo).__name__}")


def _to_zone(data: dict) -> dt.tzinfo | None:
    if "zone" in data:
        from zoneinfo import ZoneInfo

        return ZoneInfo(_text(data, "zone"))
    if "offset" in data:
        offset = data["offset"]
        checked(isinstance(offset, int | float), "offset must be a number")
        name = data.get("tzname")
        delta = dt.timedelta(seconds=offset)
        utc_name = dt.timezone(delta).tzname(None)
        return dt.timezone(delta) if name in (None, utc_name) else dt.timezone(delta, str(name))
    return None


def _wall_time(value: dt.datetime | dt.time, _: Encoder) -> dict:
    """A datetime or a time: its wall-clock reading, its fold and its zone."""
    naive = value.replace(tzinfo=None)
    return {"iso": naive.isoformat(), "fold": value.fold, **_zone(value.tzinfo)}


def _from_wall_time(kind: type[dt.datetime] | type[dt.time]):
    def rebuild(data: dict, _: Encoder) -> dt.datetime | dt.time:
        naive = kind.fromisoformat(_text(data, "iso"))
        checked(naive.tzinfo is None, "the wall time must carry no zone")
        return naive.replace(tzinfo=_to_zone(data), fold=_int(data, "fold"))

    return rebuild


def _date(value: dt.date, _: Encoder) -> dict:
    return {"iso": value.isoformat()}


def _to_date(data: dict, _: Encoder) -> dt.date:
    return dt.date.fromisoformat(_text(data, "iso"))


def _timedelta(value: dt.timedelta, _: Encoder) -> dict:
    return {"days": value.days, "s": value.seconds, "us": value.microseconds}


def _to_timedelta(data: dict, _: Encoder) -> dt.timedelta:
    return dt.timedelta(
        days=_int(data, "days"), seconds=_int(data, "s"), microseconds=_int(data, "us")
    )


def _timezone(value: dt.timezone, _: Encoder) -> dict:
    return _zone(value)


def _to_timezone(data: dict, _: Encoder) -> dt.tzinfo:
    zone = _to_zone(data)
    checked(zone is not None, "a time zone")
    return zone


# -- bytes, ranges, identifiers, paths ----------------------------------------------------------


def _bytes(value: bytes | bytearray, _: Encoder) -> dict:
    return {"b64": base64.b64encode(bytes(value)).decode("ascii")}


def _to_bytes(data: dict, _: Encoder) -> bytes:
    return base64.b64decode(_text(data, "b64"))


def _to_bytearray(data: dict, decode: Encoder) -> bytearray:
    return bytearray(_to_bytes(data, decode))


def _range(value: range, _: Encoder) -> dict:
    return {"start": value.start, "stop": value.stop, "step": value.step}


def _to_range(data: dict, _: Encoder) -> range:
    return range(_int(data, "start"), _int(data, "stop"), _int(data, "step"))


def _slice(value: slice, encode: Encoder) -> dict:
    return {"v": [encode(value.start), encode(value.stop), encode(value.step)]}


def _to_slice(data: dict, decode: Encoder) -> slice:
    parts = data.get("v")
    checked(isinstance(parts, list) and len(parts) == 3, "three slice bounds")
    return slice(*(decode(p) for p in parts))


def _uuid(value: uuid.UUID, _: Encoder) -> dict:
    return {"hex": value.hex}


def _to_uuid(data: dict, _: Encoder) -> uuid.UUID:
    return uuid.UUID(hex=_text(data, "hex"))


def _path(value: pathlib.PurePath, _: Encoder) -> dict:
    return {"s": str(value), "kind": type(value).__name__}


PATHS = {
    kind.__name__: kind
    for kind in (pathlib.PurePath, pathlib.PurePosixPath, pathlib.Path, pathlib.PosixPath)
}


def _to_path(data: dict, _: Encoder) -> pathlib.PurePath:
    kind = PATHS.get(_text(data, "kind"))
    checked(kind is not None, "a known path type")
    return kind(_text(data, "s"))  # a name only: nothing is read from the disk


# -- collections --------------------------------------------------------------------------------


def _pairs(value: dict, encode: Encoder) -> list:
    return [[encode(k), encode(v)] for k, v in value.items()]


def _from_pairs(data: dict, decode: Encoder) -> list[tuple]:
    pairs = data.get("v")
    checked(isinstance(pairs, list), "a list of pairs")
    out = []
    for pair in pairs:
        checked(isinstance(pair, list) and len(pair) == 2, "a pair")
        out.append((decode(pair[0]), decode(pair[1])))
    return out


def _ordered(value: collections.OrderedDict, encode: Encoder) -> dict:
    return {"v": _pairs(value, encode)}


def _to_ordered(data: dict, decode: Encoder) -> collections.OrderedDict:
    return collections.OrderedDict(_from_pairs(data, decode))


def _counter(value: collections.Counter, encode: Encoder) -> dict:
    return {"v": _pairs(value, encode)}


def _to_counter(data: dict, decode: Encoder) -> collections.Counter:
    return collections.Counter(dict(_from_pairs(data, decode)))


def _defaultdict(value: collections.defaultdict, encode: Encoder) -> dict:
    factory = value.default_factory
    if factory is not None and FACTORIES.get(getattr(factory, "__name__", "")) is not factory:
        raise NotData("a default factory that is not a builtin type")
    return {"factory": factory.__name__ if factory else None, "v": _pairs(value, encode)}


def _to_defaultdict(data: dict, decode: Encoder) -> collections.defaultdict:
    name = data.get("factory")
    checked(name is None or name in FACTORIES, "a builtin default factory")
    return collections.defaultdict(FACTORIES.get(name), _from_pairs(data, decode))


def _deque(value: collections.deque, encode: Encoder) -> dict:
    return {"v": [encode(item) for item in value], "maxlen": value.maxlen}


def _to_deque(data: dict, decode: Encoder) -> collections.deque:
    items, maxlen = data.get("v"), data.get("maxlen")
    checked(isinstance(items, list), "a list of items")
    checked(maxlen is None or (type(maxlen) is int and maxlen >= 0), "a maximum length")
    return collections.deque((decode(i) for i in items), maxlen)


def _namespace(value: types.SimpleNamespace, encode: Encoder) -> dict:
    return {"v": {str(k): encode(v) for k, v in vars(value).items()}}


def _to_namespace(data: dict, decode: Encoder) -> types.SimpleNamespace:
    items = data.get("v")
    checked(isinstance(items, dict), "a mapping of attributes")
    return types.SimpleNamespace(**{str(k): decode(v) for k, v in items.items()})


def _codec(tag: str, types_: tuple[type, ...], encode, decode) -> ValueCodec:
    names = tuple(type_name(t) for t in types_)
    return ValueCodec(tag, names, encode, decode)


CODECS: list[ValueCodec] = [
    _codec("fraction", (fractions.Fraction,), _fraction, _to_fraction),
    _codec("decimal", (decimal.Decimal,), _decimal, _to_decimal),
    _codec("datetime", (dt.datetime,), _wall_time, _from_wall_time(dt.datetime)),
    _codec("date", (dt.date,), _date, _to_date),
    _codec("time", (dt.time,), _wall_time, _from_wall_time(dt.time)),
    _codec("timedelta", (dt.timedelta,), _timedelta, _to_timedelta),
    _codec("timezone", (dt.timezone,), _timezone, _to_timezone),
    _codec("bytes", (bytes,), _bytes, _to_bytes),
    _codec("bytearray", (bytearray,), _bytes, _to_bytearray),
    _codec("range", (range,), _range, _to_range),
    _codec("slice", (slice,), _slice, _to_slice),
    _codec("uuid", (uuid.UUID,), _uuid, _to_uuid),
    _codec("path", tuple(PATHS.values()), _path, _to_path),
    _codec("ordereddict", (collections.OrderedDict,), _ordered, _to_ordered),
    _codec("counter", (collections.Counter,), _counter, _to_counter),
    _codec("defaultdict", (collections.defaultdict,), _defaultdict, _to_defaultdict),
    _codec("deque", (collections.deque,), _deque, _to_deque),
    _codec("namespace", (types.SimpleNamespace,), _namespace, _to_namespace),
]
