"""Numpy arrays as data: raw bytes with a plain dtype, never an object array, never a pickle."""

from __future__ import annotations

import base64

import numpy as np

PLAIN_KINDS = "biufcUSMm"  # dtypes that are data: no objects, no structured records


def raw_array(array: np.ndarray) -> dict:
    """An array's bytes, dtype and shape (what ``.npy`` holds, without its slow header)."""
    if not array.flags.c_contiguous:  # (np.ascontiguousarray would make a 0-d array 1-d)
        array = array.copy(order="C")
    return {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "b64": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def array_from_raw(data: dict) -> np.ndarray:
    dtype = np.dtype(str(data["dtype"]))
    if dtype.kind not in PLAIN_KINDS:
        raise ValueError(f"refusing an array of dtype {dtype}")
    shape = tuple(int(n) for n in data["shape"])
    flat = np.frombuffer(base64.b64decode(data["b64"]), dtype=dtype)
    return flat.reshape(shape).copy()  # writeable, and owning its memory
