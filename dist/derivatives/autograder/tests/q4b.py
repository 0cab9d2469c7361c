from otter.test_files import test_case

OK_FORMAT = False

name = "q4b"
points = 3
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q4b_public(sigmoid, sigmoid_prime):
    import numpy as np
    assert callable(sigmoid) and callable(sigmoid_prime), 'Define sigmoid and sigmoid_prime.'
    assert np.isclose(sigmoid(0.8), 1 / (1 + np.exp(-0.8))), 'sigmoid(0.8) is not 1 / (1 + e^-0.8).'
    s = lambda t: 1 / (1 + np.exp(-t))
    numeric = (s(0.8 + 1e-05) - s(0.8 - 1e-05)) / 2e-05
    assert np.isclose(sigmoid_prime(0.8), numeric, rtol=1e-06), 'sigmoid_prime(0.8) disagrees with a centered difference of sigma.'
    xs = np.array([-1.0, 0.3, 2.0])
    assert np.shape(sigmoid(xs)) == (3,) and np.shape(sigmoid_prime(xs)) == (3,), 'Both functions must work elementwise on arrays.'

@test_case(points=None, hidden=True)
def test_q4b_hidden_values(sigmoid, sigmoid_prime):
    import numpy as np

    def exact(t):
        return np.exp(-np.logaddexp(0.0, -t))
    assert np.isclose(sigmoid_prime(0.0), 0.25, rtol=1e-12)
    assert np.isclose(sigmoid(0.0), 0.5, rtol=1e-12)
    xs = np.array([-30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 30.0])
    s = np.asarray(sigmoid(xs), dtype=float)
    ds = np.asarray(sigmoid_prime(xs), dtype=float)
    assert s.shape == xs.shape and ds.shape == xs.shape
    assert np.allclose(s, exact(xs), rtol=1e-09, atol=1e-15)
    assert np.allclose(ds, exact(xs) * exact(-xs), rtol=1e-09, atol=1e-15)
    for x in [-3.0, 0.0, 3.0]:
        assert np.ndim(sigmoid(x)) == 0 and np.ndim(sigmoid_prime(x)) == 0
    grid = np.linspace(-8.0, 8.0, 12).reshape(3, 4)
    assert np.allclose(np.asarray(sigmoid(grid), dtype=float), exact(grid), rtol=1e-09)

@test_case(points=None, hidden=True)
def test_q4b_hidden_stability(sigmoid, sigmoid_prime):
    import warnings
    import numpy as np
    xs = np.array([-1000.0, -745.0, -710.0, 710.0, 745.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with np.errstate(over='raise', invalid='raise', divide='raise', under='ignore'):
            s = np.asarray(sigmoid(xs), dtype=float)
            ds = np.asarray(sigmoid_prime(xs), dtype=float)
            s_low, s_high = (float(sigmoid(-1000.0)), float(sigmoid(1000.0)))
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ds))
    assert np.allclose(s, [0, 0, 0, 1, 1, 1], atol=1e-300)
    assert np.allclose(ds, 0.0, atol=1e-300)
    assert s_low == 0.0 and s_high == 1.0

