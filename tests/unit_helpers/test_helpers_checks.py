"""Tests for helpers.checks: the printed PASS/FAIL lines and the return values."""

import numpy as np
import pytest

from helpers import check_close, check_true, header


def test_header_output(capsys):
    assert header("Part 1") is None
    assert capsys.readouterr().out == "\n======\nPart 1\n======\n"


def test_header_empty_title(capsys):
    header("")
    assert capsys.readouterr().out == "\n\n\n\n"


@pytest.mark.parametrize("cond", [True, 1, "x", [0], np.True_])
def test_check_true_pass(capsys, cond):
    result = check_true("derivative is positive", cond)
    assert result is True
    assert capsys.readouterr().out == "PASS - derivative is positive\n"


@pytest.mark.parametrize("cond", [False, 0, "", [], None, np.False_])
def test_check_true_fail(capsys, cond):
    result = check_true("derivative is positive", cond)
    assert result is False
    assert capsys.readouterr().out == "FAIL - derivative is positive\n"


def test_check_close_pass_line(capsys):
    assert check_close("slope", 2.0, 2.0 + 1e-10) is True
    assert capsys.readouterr().out == "PASS - slope: got 2.0, expected 2.0000000001\n"


def test_check_close_fail_line(capsys):
    assert check_close("slope", 2.1, 2.0) is False
    assert capsys.readouterr().out == "FAIL - slope: got 2.1, expected 2.0\n"


def test_check_close_tolerance(capsys):
    assert check_close("loose", 1.001, 1.0, tol=1e-2) is True
    assert check_close("tight", 1.001, 1.0) is False
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("PASS - loose:")
    assert out[1].startswith("FAIL - tight:")


def test_check_close_arrays_print_like_numpy(capsys):
    got = np.array([1.0, 2.0])
    assert check_close("vec", got, [1.0, 2.0]) is True
    assert capsys.readouterr().out == f"PASS - vec: got {got}, expected [1.0, 2.0]\n"


def test_check_close_array_against_single_number(capsys):
    assert check_close("zeros", np.zeros(3), 0.0) is True
    assert check_close("not zeros", np.array([0.0, 1.0]), 0.0) is False


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        ([1.0, 2.0], [1.0, 2.0, 3.0]),  # not broadcastable: np.allclose would raise
        (np.ones((3, 1)), np.ones(3)),  # broadcastable, but a column is not a row
        (np.ones((1, 2)), np.ones(2)),
    ],
)
def test_check_close_shape_mismatch_is_fail(capsys, got, expected):
    assert check_close("shape", got, expected) is False
    assert capsys.readouterr().out.startswith("FAIL - shape: got ")


@pytest.mark.parametrize(
    ("got", "expected"),
    [(float("nan"), float("nan")), (float("nan"), 1.0), (np.array([1.0, np.nan]), [1.0, 1.0])],
)
def test_check_close_nan_is_fail(capsys, got, expected):
    assert check_close("nan", got, expected) is False
    assert capsys.readouterr().out.startswith("FAIL - nan: got ")


@pytest.mark.parametrize("got", [None, "abc", {"a": 1}])
def test_check_close_non_numeric_is_fail(capsys, got):
    assert check_close("weird", got, 1.0) is False
    assert capsys.readouterr().out == f"FAIL - weird: got {got}, expected 1.0\n"
