"""The value codecs: what crosses between the student process and the grader as data.

Each value must come back equal and of the same type, rebuilt by the receiver's own library;
a payload that is not what ``encode`` makes must be refused (the grader reads payloads that a
student process wrote), and a value a codec cannot rebuild must fall back to its handle.
"""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import fractions
import pathlib
import types
import uuid

import numpy as np
import pandas as pd
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from grading.sandbox.worker.codec import TAG, Opaque, decode, encode
from grading.sandbox.worker.registry import codec_named
from grading.sandbox.worker.values import NotData
from grading.sandbox.worker.values_science import sympy_from_srepr


def roundtrip(value):
    return decode(encode(value, lambda v: None), lambda data: pytest.fail(f"a handle: {data}"))


STDLIB_VALUES = {
    "fraction": fractions.Fraction(-7, 3),
    "decimal": decimal.Decimal("0.1000"),
    "decimal-nan": decimal.Decimal("NaN"),
    "datetime": dt.datetime(2024, 2, 29, 13, 5, 7, 123456),
    "datetime-utc": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    "datetime-offset": dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "date": dt.date(1999, 12, 31),
    "time": dt.time(23, 59, 1),
    "timedelta": dt.timedelta(days=-2, seconds=5, microseconds=7),
    "bytes": b"\x00\xffbytes",
    "bytearray": bytearray(b"abc"),
    "range": range(3, 30, 4),
    "slice": slice(1, None, 2),
    "uuid": uuid.UUID("12345678123456781234567812345678"),
    "path": pathlib.PurePosixPath("data/file.csv"),
    "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
    "counter": collections.Counter("mississippi"),
    "defaultdict": collections.defaultdict(list, {"a": [1]}),
    "deque": collections.deque([1, 2, 3], maxlen=5),
    "namespace": types.SimpleNamespace(a=1, b="two"),
    "ellipsis": ...,
}


@pytest.mark.parametrize("name", sorted(STDLIB_VALUES))
def test_standard_library_values_come_back_equal_and_of_their_type(name):
    value = STDLIB_VALUES[name]
    back = roundtrip(value)
    assert type(back) is type(value)
    if isinstance(value, decimal.Decimal) and value.is_nan():
        assert back.is_nan()
    else:
        assert back == value
    assert repr(back) == repr(value)


def test_a_defaultdict_keeps_its_factory_and_a_student_factory_keeps_it_a_handle():
    back = roundtrip(collections.defaultdict(list))
    back["new"].append(1)
    assert back == {"new": [1]}
    assert isinstance(roundtrip(collections.defaultdict(lambda: 0)), Opaque)


FRAME = pd.DataFrame(
    {
        "ints": [1, 2, 3],
        "floats": [0.5, np.nan, 2.5],
        "text": ["a", None, "c"],
        "when": pd.date_range("2024-01-01", periods=3, freq="D"),
        "zone": pd.date_range("2024-03-09", periods=3, freq="D", tz="US/Pacific"),
        "kind": pd.Categorical(["x", "y", "x"], ordered=True),
        "nullable": pd.array([1, None, 3], dtype="Int64"),
        "objects": [1, "two", [3]],
    },
    index=pd.Index([10, 20, 30], name="id"),
)


@pytest.mark.parametrize(
    "value",
    [
        FRAME,
        FRAME.set_index(["kind", "ints"]),
        FRAME.T.iloc[:2],
        FRAME.groupby("kind", observed=True)["floats"].mean(),
        pd.DataFrame(),
        pd.DataFrame(columns=["a", "b"]),
        pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "b"), ("a", "c")])),
        pd.Series([True, None], dtype="boolean", name="flags"),
        pd.date_range("2024-01-01", periods=4, freq="W"),
        pd.RangeIndex(2, 20, 3, name="r"),
    ],
    ids=lambda v: type(v).__name__,
)
def test_pandas_values_come_back_equal_with_the_same_repr(value):
    back = roundtrip(value)
    assert type(back) is type(value)
    if isinstance(value, pd.DataFrame):
        pd.testing.assert_frame_equal(back, value)
    elif isinstance(value, pd.Series):
        pd.testing.assert_series_equal(back, value)
    else:
        pd.testing.assert_index_equal(back, value, exact=True)
    assert repr(back) == repr(value)


def test_pandas_scalars_come_back_equal():
    for value in (pd.Timestamp("2024-05-01 12:00", tz="Europe/Paris"), pd.Timedelta("1D 2h")):
        back = roundtrip(value)
        assert type(back) is type(value) and back == value and repr(back) == repr(value)
    assert roundtrip(pd.NaT) is pd.NaT and roundtrip(pd.NA) is pd.NA


def test_a_column_of_a_kind_no_codec_rebuilds_keeps_the_value_a_handle():
    intervals = pd.Series(pd.interval_range(0, 3))
    encoded = encode(intervals, lambda v: {TAG: "obj", "id": 7, "type": "pandas.Series"})
    assert encoded == {TAG: "obj", "id": 7, "type": "pandas.Series"}


def test_a_value_the_receiver_cannot_rebuild_becomes_its_handle():
    handle = {TAG: "obj", "id": 3, "type": "pandas.DataFrame"}
    encoded = encode(FRAME, lambda v: handle)
    assert encoded["ref"] == handle
    encoded["cols"][0] = {"kind": "np", "a": {"dtype": "|O", "shape": [3], "b64": ""}}
    assert decode(encoded, lambda data: ("proxy", data["id"])) == ("proxy", 3)
    encoded.pop("ref")
    with pytest.raises(ValueError):
        decode(encoded, lambda data: None)


def test_numpy_generators_cross_as_their_state():
    generator = np.random.default_rng(12)
    back = roundtrip(generator)
    assert type(back) is np.random.Generator
    assert back.random() == generator.random()
    legacy = np.random.RandomState(5)
    assert roundtrip(legacy).rand() == legacy.rand()
    assert roundtrip(np.dtype("int16")) == np.dtype("int16")


@given(st.lists(st.integers(-(10**20), 10**20) | st.decimals(allow_nan=False) | st.fractions()))
def test_numbers_of_the_standard_library_round_trip(values):
    assert roundtrip(values) == values


def test_malformed_payloads_are_refused_with_not_data():
    fraction = codec_named("fraction")
    with pytest.raises(NotData):
        fraction.decode({"n": "1", "d": 2}, lambda item: item)
    defaults = codec_named("defaultdict")
    with pytest.raises(NotData):
        defaults.decode({"factory": "os.system", "v": []}, lambda item: item)
    path = codec_named("path")
    with pytest.raises(NotData):
        path.decode({"s": "/etc", "kind": "subprocess.Popen"}, lambda item: item)


def test_the_srepr_reader_calls_nothing_but_sympys_classes():
    x = sympy.Symbol("x", positive=True)
    expr = sympy.sin(x) ** 2 + sympy.Rational(1, 3) * x - sympy.pi
    back = sympy_from_srepr(sympy.srepr(expr))
    assert back == expr
    matrix = sympy.Matrix([[1, x], [0, 2]])
    assert roundtrip(matrix) == matrix
    for hostile in (
        "__import__('os').system('true')",
        "Symbol.__init__.__globals__",
        "Integer(1).__class__.__subclasses__()",
        "lambda: 1",
        "sympify('x')",
    ):
        with pytest.raises(NotData):
            sympy_from_srepr(hostile)


def test_a_huge_power_is_kept_unevaluated():
    back = sympy_from_srepr("Pow(Integer(10), Integer(100000000))")
    assert isinstance(back, sympy.Pow) and back.args == (10, 100000000)
