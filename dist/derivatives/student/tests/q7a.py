from otter.test_files import test_case

OK_FORMAT = False

name = "q7a"
points = 3.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q7a_public(fd_forward, fd_backward, fd_centered):
    import numpy as np
    for fn in (fd_forward, fd_backward, fd_centered):
        assert callable(fn), 'Define fd_forward, fd_backward and fd_centered.'
    square = lambda t: t ** 2
    for fn in (fd_forward, fd_backward, fd_centered):
        value = fn(square, 1.0, 0.0001)
        assert np.ndim(value) == 0 and abs(value - 2.0) < 0.001, f'{fn.__name__}(t**2, 1.0, 1e-4) should be close to 2.'

