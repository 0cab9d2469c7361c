"""Tests for helpers.differences: finite differences and grad_check."""

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import backward_diff, centered_diff, forward_diff, grad_check

DIFFS = [forward_diff, backward_diff, centered_diff]

coef = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False)
point = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)
PROPERTY_SETTINGS = settings(max_examples=50, deadline=None)


def cubic(a0: float, a1: float, a2: float, a3: float):
    """Return p(x) = a0 + a1 x + a2 x^2 + a3 x^3 and its first two derivatives."""

    def p(x):
        return a0 + x * (a1 + x * (a2 + x * a3))

    def dp(x):
        return a1 + x * (2 * a2 + x * 3 * a3)

    def d2p(x):
        return 2 * a2 + 6 * a3 * x

    return p, dp, d2p


# --- exact results -------------------------------------------------------------


def test_centered_diff_of_quadratic_is_exact_for_dyadic_values():
    # With x and h powers of two every operation is exact: the O(h^2) error term vanishes.
    assert centered_diff(lambda x: 3 * x**2 - 2 * x + 1, 1.5, h=0.25) == 3 * 2 * 1.5 - 2


@pytest.mark.parametrize("h", [1e-1, 1e-2, 1e-3, 1e-4])
def test_centered_diff_of_quadratic_has_no_truncation_error(h):
    # A large h would give a large error if the method were only first order.
    x = np.linspace(-3, 3, 13)
    got = centered_diff(lambda t: 3 * t**2 - 2 * t + 1, x, h=h)
    np.testing.assert_allclose(got, 6 * x - 2, rtol=0, atol=1e-9)


@pytest.mark.parametrize("diff", [forward_diff, backward_diff])
def test_one_sided_diffs_of_a_line_are_exact(diff):
    assert diff(lambda x: 2.5 * x - 1.0, 3.0, h=0.5) == 2.5
    x = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(diff(lambda t: -4 * t + 7, x, h=1e-3), -4.0, rtol=0, atol=1e-9)


def test_the_three_formulas_are_distinct():
    # For f(x) = x^2 at x = 1 with h = 1/2: forward 2.5, backward 1.5, centred 2 (exact).
    def sq(x):
        return x * x

    assert forward_diff(sq, 1.0, h=0.5) == 2.5
    assert backward_diff(sq, 1.0, h=0.5) == 1.5
    assert centered_diff(sq, 1.0, h=0.5) == 2.0


def test_default_step_is_accurate_on_sin():
    x = np.linspace(0, 2 * np.pi, 50)
    np.testing.assert_allclose(centered_diff(np.sin, x), np.cos(x), atol=1e-9)
    np.testing.assert_allclose(forward_diff(np.sin, x), np.cos(x), atol=1e-5)
    np.testing.assert_allclose(backward_diff(np.sin, x), np.cos(x), atol=1e-5)


# --- convergence orders (property-based) -----------------------------------------


@PROPERTY_SETTINGS
@given(coef, coef, coef, coef, point)
def test_centered_error_shrinks_like_h_squared(a0, a1, a2, a3, x):
    # For a cubic the centred-difference error is exactly a3 * h^2 (plus round-off).
    assume(abs(a3) >= 0.1)  # f''' = 6 a3 ~ 0 would leave only round-off
    p, dp, _ = cubic(a0, a1, a2, a3)
    exact = dp(x)
    errors = [abs(centered_diff(p, x, h=h) - exact) for h in (1e-1, 1e-2, 1e-3)]
    for coarse, fine in itertools.pairwise(errors):
        assert 50 <= coarse / fine <= 200


@pytest.mark.parametrize("diff", [forward_diff, backward_diff])
@PROPERTY_SETTINGS
@given(coef, coef, coef, coef, point)
def test_one_sided_error_shrinks_like_h(diff, a0, a1, a2, a3, x):
    # The one-sided error is f''(x) h / 2 + O(h^2): dividing h by 10 divides it by ~10.
    p, dp, d2p = cubic(a0, a1, a2, a3)
    assume(abs(d2p(x)) >= 1.0)  # f'' ~ 0 would make the method look second order
    exact = dp(x)
    coarse = abs(diff(p, x, h=1e-3) - exact)
    fine = abs(diff(p, x, h=1e-4) - exact)
    assert 8 <= coarse / fine <= 12


@PROPERTY_SETTINGS
@given(coef, coef, coef, coef, point)
def test_round_off_dominates_for_tiny_h(a0, a1, a2, a3, x):
    p, dp, _ = cubic(a0, a1, a2, a3)
    # Degenerate cases where x +- h or f(x +- h) happen to be (nearly) exact are excluded.
    assume(abs(x) >= 0.5 and abs(p(x)) >= 1.0 and abs(dp(x)) >= 1.0)
    exact = dp(x)
    assert abs(centered_diff(p, x, h=1e-13) - exact) > abs(centered_diff(p, x, h=1e-5) - exact)


# --- vectorisation and input types ---------------------------------------------------


@pytest.mark.parametrize("diff", DIFFS)
@pytest.mark.parametrize("shape", [(7,), (2, 3), (2, 1, 4)])
def test_array_in_same_shape_out_matching_scalar_calls(diff, shape):
    def f(x):
        return x * x * x - 2 * x

    x = np.linspace(-1.5, 2.0, math.prod(shape)).reshape(shape)
    got = diff(f, x, h=1e-4)
    assert isinstance(got, np.ndarray)
    assert got.shape == shape
    assert got.dtype == np.float64
    for idx in np.ndindex(shape):
        assert got[idx] == diff(f, float(x[idx]), h=1e-4)


@pytest.mark.parametrize("diff", DIFFS)
def test_scalar_in_float_out(diff):
    got = diff(np.sin, 0.3)
    assert isinstance(got, float)
    assert np.ndim(got) == 0
    assert got == pytest.approx(math.cos(0.3), abs=1e-5)


@pytest.mark.parametrize("diff", DIFFS)
def test_plain_python_math_function_works_on_scalars(diff):
    assert diff(math.exp, 0.0, h=1e-7) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("diff", DIFFS)
def test_int_input_is_converted_to_float_before_stepping(diff):
    seen = []

    def f(x):
        seen.append(np.asarray(x).dtype)
        return x * x

    assert diff(f, 3, h=0.5) == {forward_diff: 6.5, backward_diff: 5.5, centered_diff: 6.0}[diff]
    got = diff(f, np.array([1, 2, 3]), h=0.5)
    np.testing.assert_array_equal(
        got,
        {
            forward_diff: [2.5, 4.5, 6.5],
            backward_diff: [1.5, 3.5, 5.5],
            centered_diff: [2.0, 4.0, 6.0],
        }[diff],
    )
    assert all(dtype == np.float64 for dtype in seen)


@pytest.mark.parametrize("diff", DIFFS)
def test_list_input_gives_array(diff):
    got = diff(lambda t: 2 * t, [0, 1, 2], h=0.5)
    np.testing.assert_array_equal(got, [2.0, 2.0, 2.0])


@pytest.mark.parametrize("diff", DIFFS)
def test_constant_function_still_gives_an_array_of_x_shape(diff):
    got = diff(lambda t: 5.0, np.zeros((2, 2)))
    np.testing.assert_array_equal(got, np.zeros((2, 2)))


@pytest.mark.parametrize("diff", DIFFS)
def test_non_elementwise_function_is_rejected(diff):
    with pytest.raises(ValueError, match="elementwise"):
        diff(lambda v: np.sum(v, axis=0), np.ones((2, 3)))


@pytest.mark.parametrize("diff", DIFFS)
@pytest.mark.parametrize(
    "h", [0, 0.0, -1e-6, float("nan"), float("inf"), -np.inf, None, "a", [1.0, 2.0]]
)
def test_invalid_step_raises_value_error(diff, h):
    with pytest.raises(ValueError, match="positive finite"):
        diff(np.sin, 1.0, h=h)


@pytest.mark.parametrize("diff", DIFFS)
def test_numpy_scalar_step_is_accepted(diff):
    assert diff(lambda t: 3 * t, 1.0, h=np.float32(0.5)) == 3.0


# --- grad_check ----------------------------------------------------------------------


def test_grad_check_correct_gradient_is_tiny():
    w = np.array([0.3, -1.2, 2.5, 0.0, 4.0])
    assert grad_check(lambda v: np.sum(np.sin(v)), w, np.cos(w)) < 1e-8


def test_grad_check_gradient_off_by_factor_two_is_one_third():
    w = np.array([0.3, -1.2, 2.5, 0.7, 4.0])
    err = grad_check(lambda v: np.sum(np.sin(v)), w, 2 * np.cos(w))
    assert err == pytest.approx(1 / 3, abs=1e-6)


def test_grad_check_is_relative_so_tiny_gradients_are_judged_fairly():
    # Only the 1e-12 guard is absolute: a gradient of size 1e-6 off by 2 still gives 1/3.
    w = np.array([0.3, -1.2, 2.5])
    err = grad_check(lambda v: 1e-6 * np.sum(v**2), w, 2 * (2e-6 * w))
    assert err == pytest.approx(1 / 3, abs=1e-6)


def test_grad_check_zero_gradient():
    w = np.array([0.3, -1.2])
    assert grad_check(lambda v: 4.0, w, np.zeros(2)) == 0.0
    assert grad_check(lambda v: 4.0, w, [1.0, 0.0]) == pytest.approx(1.0)


def test_grad_check_wrong_gradient_is_large():
    w = np.array([0.3, -1.2, 2.5])
    assert grad_check(lambda v: np.sum(np.sin(v)), w, np.sin(w)) > 0.1


def test_grad_check_returns_python_float():
    assert type(grad_check(lambda v: np.sum(v**2), [1.0, 2.0], [2.0, 4.0])) is float


def test_grad_check_does_not_mutate_x():
    w = np.array([0.5, -0.25, 1.0])
    before = w.copy()
    grad_check(lambda v: np.sum(v**3), w, 3 * w**2)
    np.testing.assert_array_equal(w, before)


def test_grad_check_is_safe_when_f_modifies_its_argument():
    w = np.array([0.5, -0.25, 1.0])
    before = w.copy()

    def f(v):
        total = np.sum(v**2)
        v += 100.0  # a careless in-place update inside f
        return total

    assert grad_check(f, w, 2 * w) < 1e-8
    np.testing.assert_array_equal(w, before)


def test_grad_check_accepts_lists():
    assert grad_check(lambda v: v[0] ** 2 + 3 * v[1], [1, 2], [2, 3]) < 1e-8


def test_grad_check_accepts_int_arrays():
    # An int working copy would truncate x + h back to x and give a zero numeric gradient.
    x = np.array([1, 2, 3])
    assert grad_check(lambda v: np.sum(v**2), x, 2 * x) < 1e-8
    assert x.dtype.kind == "i"
    np.testing.assert_array_equal(x, [1, 2, 3])


def test_grad_check_two_dimensional_x():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4))
    w = rng.normal(size=(3, 4))

    def f(m):
        return np.sum(a * m**2) + np.sum(m)

    assert grad_check(f, w, 2 * a * w + 1) < 1e-8
    assert grad_check(f, w, (2 * a * w + 1).T.reshape(3, 4)) > 1e-3


def test_grad_check_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=re.escape("(4,)") + ".*" + re.escape("(3,)")):
        grad_check(np.sum, np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=re.escape("(3, 2)") + ".*" + re.escape("(2, 3)")):
        grad_check(np.sum, np.ones((2, 3)), np.ones((3, 2)))


def test_grad_check_rejects_non_scalar_f():
    with pytest.raises(ValueError, match="single number"):
        grad_check(lambda v: v**2, np.ones(3), np.ones(3))


@pytest.mark.parametrize("h", [0, -1e-6, float("nan")])
def test_grad_check_invalid_step(h):
    with pytest.raises(ValueError, match="positive finite"):
        grad_check(np.sum, np.ones(3), np.ones(3), h=h)
