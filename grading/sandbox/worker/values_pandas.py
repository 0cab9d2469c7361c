"""Value codecs for pandas: DataFrames, Series, indexes, categoricals and pandas' scalars.

Each column crosses as raw bytes with a plain dtype, as a list of data items (object columns),
as codes plus categories, or as the items of one of pandas' own extension dtypes named in
``EXTENSION_DTYPES``; the receiver builds the frame with its own pandas. A column of any other
kind (intervals, periods, sparse...) keeps the whole value a handle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import PLAIN_KINDS, array_from_raw, raw_array
from .values import Encoder, NotData, ValueCodec, checked

EXTENSION_DTYPES = {
    *(f"{sign}Int{bits}" for sign in ("", "U") for bits in (8, 16, 32, 64)),
    "Float32", "Float64", "boolean", "str", "string", "string[python]", "string[pyarrow]",
}  # fmt: skip


MAX_CELLS = 2_000_000  # a larger frame or series stays in the student process (a proxy)


def _pd():
    import pandas

    return pandas


# -- columns ------------------------------------------------------------------------------------


def _column(values: Any, encode: Encoder) -> dict:
    """One column's values (a Series, an Index or a Categorical) as data."""
    pd = _pd()
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        array = np.asarray(values)
        if dtype.kind in PLAIN_KINDS:
            return {"kind": "np", "a": raw_array(array)}
        if dtype.kind == "O":
            return {"kind": "objects", "v": [encode(item) for item in array.tolist()]}
        raise NotData(f"a column of dtype {dtype}")
    if isinstance(dtype, pd.CategoricalDtype):
        categorical = pd.Categorical(values)
        return {
            "kind": "category",
            "codes": raw_array(np.asarray(categorical.codes)),
            "categories": _index(categorical.categories, encode),
            "ordered": bool(categorical.ordered),
        }
    if isinstance(dtype, pd.DatetimeTZDtype):
        return {
            "kind": "datetimetz",
            "a": raw_array(np.asarray(pd.DatetimeIndex(values).asi8)),
            "unit": dtype.unit,
            "tz": str(dtype.tz),
        }
    if str(dtype) in EXTENSION_DTYPES:
        items = [None if item is pd.NA or _is_missing(item) else item for item in values]
        return {"kind": "ext", "dtype": str(dtype), "v": [encode(item) for item in items]}
    raise NotData(f"a column of dtype {dtype}")


def _is_missing(item: Any) -> bool:
    return isinstance(item, float) and item != item  # NaN, the "str" dtype's missing value


def _from_column(data: Any, decode: Encoder) -> Any:
    pd = _pd()
    checked(isinstance(data, dict), "a column")
    kind = data.get("kind")
    if kind == "np":
        return array_from_raw(data["a"])
    if kind == "objects":
        items = data.get("v")
        checked(isinstance(items, list), "a list of items")
        array = np.empty(len(items), dtype=object)
        array[:] = [decode(item) for item in items]
        return array
    if kind == "category":
        codes = array_from_raw(data["codes"])
        checked(codes.dtype.kind == "i" and codes.ndim == 1, "integer codes")
        categories = _from_index(data["categories"], decode)
        ordered = data.get("ordered")
        checked(isinstance(ordered, bool), "ordered must be true or false")
        return pd.Categorical.from_codes(codes, categories=categories, ordered=ordered)
    if kind == "datetimetz":
        stamps = array_from_raw(data["a"])
        checked(stamps.dtype == np.int64 and stamps.ndim == 1, "int64 time stamps")
        unit, tz = data.get("unit"), data.get("tz")
        checked(unit in ("s", "ms", "us", "ns") and isinstance(tz, str), "a unit and a zone")
        utc = pd.DatetimeIndex(stamps.view(f"M8[{unit}]")).tz_localize("UTC")
        return utc.tz_convert(tz).array
    if kind == "ext":
        dtype, items = data.get("dtype"), data.get("v")
        checked(dtype in EXTENSION_DTYPES and isinstance(items, list), "a pandas dtype")
        return pd.array([decode(item) for item in items], dtype=dtype)
    raise NotData(f"a column of kind {kind!r}")


# -- indexes ------------------------------------------------------------------------------------


def _index(index: Any, encode: Encoder) -> dict:
    pd = _pd()
    if type(index) is pd.RangeIndex:
        return {"kind": "range", "start": index.start, "stop": index.stop, "step": index.step,
                "name": encode(index.name)}  # fmt: skip
    if type(index) is pd.MultiIndex:
        return {
            "kind": "multi",
            "levels": [_index(level, encode) for level in index.levels],
            "codes": [raw_array(np.asarray(codes)) for codes in index.codes],
            "names": [encode(name) for name in index.names],
        }
    if type(index) not in (pd.Index, pd.DatetimeIndex, pd.TimedeltaIndex, pd.CategoricalIndex):
        raise NotData(f"an index of type {type(index).__name__}")
    freq = getattr(index, "freqstr", None)
    return {"kind": "plain", "col": _column(index, encode), "name": encode(index.name),
            "freq": freq if isinstance(freq, str) else None}  # fmt: skip


def _from_index(data: Any, decode: Encoder) -> Any:
    pd = _pd()
    checked(isinstance(data, dict), "an index")
    kind = data.get("kind")
    if kind == "range":
        bounds = [data.get(k) for k in ("start", "stop", "step")]
        checked(all(type(b) is int for b in bounds), "integer bounds")
        return pd.RangeIndex(*bounds, name=decode(data.get("name")))
    if kind == "multi":
        levels = [_from_index(level, decode) for level in data.get("levels", [])]
        codes = [array_from_raw(c) for c in data.get("codes", [])]
        names = [decode(n) for n in data.get("names", [])]
        checked(len(levels) == len(codes) == len(names), "as many levels, codes and names")
        return pd.MultiIndex(levels=levels, codes=codes, names=names)
    checked(kind == "plain", "a known index kind")
    values = _from_column(data.get("col"), decode)
    freq = data.get("freq")
    checked(freq is None or (isinstance(freq, str) and len(freq) < 40), "a frequency")
    name = decode(data.get("name"))
    if freq is not None and np.asarray(values).dtype.kind in "Mm":
        kind_of = pd.DatetimeIndex if np.asarray(values).dtype.kind == "M" else pd.TimedeltaIndex
        return kind_of(values, freq=freq, name=name)
    if freq is not None and isinstance(getattr(values, "dtype", None), pd.DatetimeTZDtype):
        return pd.DatetimeIndex(values, freq=freq, name=name)
    return pd.Index(values, name=name)


# -- frames, series, scalars --------------------------------------------------------------------


def _frame(value: Any, encode: Encoder) -> dict:
    if value.size > MAX_CELLS:  # too large to copy at each use: the test reaches it live
        raise NotData(f"a frame of {value.size} cells")
    columns = [_column(value.iloc[:, i], encode) for i in range(value.shape[1])]
    return {"index": _index(value.index, encode), "columns": _index(value.columns, encode),
            "cols": columns}  # fmt: skip


def _to_frame(data: dict, decode: Encoder) -> Any:
    pd = _pd()
    index = _from_index(data.get("index"), decode)
    columns = _from_index(data.get("columns"), decode)
    cols = data.get("cols")
    checked(isinstance(cols, list) and len(cols) == len(columns), "one column per label")
    arrays = [_from_column(col, decode) for col in cols]
    checked(all(len(a) == len(index) for a in arrays), "columns as long as the index")
    if not arrays:
        return pd.DataFrame(index=index, columns=columns)
    frame = pd.DataFrame(dict(enumerate(arrays)), index=index, copy=False)
    frame.columns = columns
    return frame


def _series(value: Any, encode: Encoder) -> dict:
    if value.size > MAX_CELLS:
        raise NotData(f"a series of {value.size} values")
    return {"index": _index(value.index, encode), "col": _column(value, encode),
            "name": encode(value.name)}  # fmt: skip


def _to_series(data: dict, decode: Encoder) -> Any:
    index = _from_index(data.get("index"), decode)
    values = _from_column(data.get("col"), decode)
    checked(len(values) == len(index), "values as long as the index")
    return _pd().Series(values, index=index, name=decode(data.get("name")), copy=False)


def _index_value(value: Any, encode: Encoder) -> dict:
    return {"index": _index(value, encode)}


def _to_index_value(data: dict, decode: Encoder) -> Any:
    return _from_index(data.get("index"), decode)


def _categorical(value: Any, encode: Encoder) -> dict:
    return {"col": _column(value, encode)}


def _to_categorical(data: dict, decode: Encoder) -> Any:
    values = _from_column(data.get("col"), decode)
    checked(type(values).__name__ == "Categorical", "a categorical")
    return values


def _timestamp(value: Any, _: Encoder) -> dict:
    try:
        nanoseconds = int(value.as_unit("ns").value)
    except (OverflowError, ValueError) as error:
        raise NotData(str(error)) from None
    return {"ns": nanoseconds, "unit": value.unit, "tz": str(value.tz) if value.tz else None}


def _to_timestamp(data: dict, _: Encoder) -> Any:
    nanoseconds, unit, tz = data.get("ns"), data.get("unit"), data.get("tz")
    checked(type(nanoseconds) is int and unit in ("s", "ms", "us", "ns"), "a time stamp")
    checked(tz is None or isinstance(tz, str), "a zone")
    stamp = _pd().Timestamp(nanoseconds, unit="ns", tz="UTC" if tz else None)
    return (stamp.tz_convert(tz) if tz else stamp).as_unit(unit)


def _timedelta(value: Any, _: Encoder) -> dict:
    return {"ns": int(value.as_unit("ns").value), "unit": value.unit}


def _to_timedelta(data: dict, _: Encoder) -> Any:
    nanoseconds, unit = data.get("ns"), data.get("unit")
    checked(type(nanoseconds) is int and unit in ("s", "ms", "us", "ns"), "a duration")
    return _pd().Timedelta(nanoseconds, unit="ns").as_unit(unit)


def _nat(value: Any, _: Encoder) -> dict:
    return {}


def _to_nat(data: dict, _: Encoder) -> Any:
    return _pd().NaT


def _na(value: Any, _: Encoder) -> dict:
    return {}


def _to_na(data: dict, _: Encoder) -> Any:
    return _pd().NA


CODECS = [
    ValueCodec("pd.frame", ("pandas.DataFrame",), _frame, _to_frame),
    ValueCodec("pd.series", ("pandas.Series",), _series, _to_series),
    ValueCodec(
        "pd.index",
        tuple(
            f"pandas.{name}Index"
            for name in ("", "Range", "Multi", "Datetime", "Timedelta", "Categorical")
        ),  # fmt: skip
        _index_value,
        _to_index_value,
    ),
    ValueCodec("pd.categorical", ("pandas.Categorical",), _categorical, _to_categorical),
    ValueCodec("pd.timestamp", ("pandas.Timestamp",), _timestamp, _to_timestamp),
    ValueCodec("pd.timedelta", ("pandas.Timedelta",), _timedelta, _to_timedelta),
    ValueCodec("pd.nat", ("pandas.NaTType",), _nat, _to_nat),
    ValueCodec("pd.na", ("pandas.NAType",), _na, _to_na),
]
