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

@test_case(points=None, hidden=True)
def test_q7a_hidden(fd_forward, fd_backward, fd_centered):
    import numpy as np
    xs = np.array([-1.0, 0.0, 0.4, 2.0])
    for h in (0.5, 0.1, 0.001):
        fw = np.asarray(fd_forward(np.sin, xs, h), dtype=float)
        bw = np.asarray(fd_backward(np.sin, xs, h), dtype=float)
        ct = np.asarray(fd_centered(np.sin, xs, h), dtype=float)
        assert fw.shape == bw.shape == ct.shape == xs.shape
        assert np.allclose(fw, (np.sin(xs + h) - np.sin(xs)) / h, rtol=1e-09, atol=1e-12)
        assert np.allclose(bw, (np.sin(xs) - np.sin(xs - h)) / h, rtol=1e-09, atol=1e-12)
        assert np.allclose(ct, (np.sin(xs + h) - np.sin(xs - h)) / (2 * h), rtol=1e-09, atol=1e-12)
    cube = lambda t: t ** 3
    assert np.isclose(fd_centered(cube, 1.0, 0.5), 3.25)
    assert np.isclose(fd_forward(cube, 2, 1), 19.0)
    assert np.isclose(fd_backward(cube, 2, 1), 7.0)

