from otter.test_files import test_case

OK_FORMAT = False

name = "q7d"
points = 4
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q7d_public(grad_check_vector, l2_loss, l2_grad, l2_check_error):
    import numpy as np
    for fn in (grad_check_vector, l2_loss, l2_grad):
        assert callable(fn), 'Define grad_check_vector, l2_loss and l2_grad.'
    w = np.array([0.5, -1.0])
    err = grad_check_vector(lambda v: float(np.sum(v ** 2)), w, 2 * w)
    assert np.ndim(err) == 0 and 0 <= err < 1e-06, 'A correct gradient should give a tiny relative error.'
    assert np.ndim(l2_check_error) == 0 and np.isfinite(l2_check_error), 'l2_check_error should be one number.'

@test_case(points=None, hidden=True)
def test_q7d_hidden(grad_check_vector, l2_loss, l2_grad, l2_check_error):
    import numpy as np
    w = np.array([0.3, -1.2, 2.0, 0.7])
    f = lambda v: float(np.sum(np.sin(v)) + v[0] * v[1])
    good = np.cos(w) + np.array([w[1], w[0], 0.0, 0.0])
    assert grad_check_vector(f, w, good) < 1e-08
    assert np.isclose(grad_check_vector(f, w, 2 * good), 1 / 3, rtol=1e-05)
    assert np.isclose(grad_check_vector(f, w, -good), 1.0, rtol=1e-05)
    second = lambda v: float(v[1])
    assert np.isclose(grad_check_vector(second, [0.5, 0.5], [1.0, 0.0]), np.sqrt(2) / 2, rtol=1e-05)
    assert np.isclose(grad_check_vector(f, w, good, h=0.0001), grad_check_vector(f, w, good, 0.0001))
    w_before = w.copy()
    grad_check_vector(f, w, good)
    assert np.array_equal(w, w_before)
    ints = [1, 2, 3]
    assert grad_check_vector(lambda v: float(np.sum(v ** 3)), ints, 3 * np.array(ints) ** 2) < 1e-08
    assert ints == [1, 2, 3]
    assert np.isclose(l2_loss(np.array([1.0, 2.0, 3.0])), 14.0)
    assert np.allclose(np.asarray(l2_grad(np.array([1.0, -2.0, 0.5])), dtype=float), [2.0, -4.0, 1.0])
    assert 0 <= float(l2_check_error) < 1e-08

