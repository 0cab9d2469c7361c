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

