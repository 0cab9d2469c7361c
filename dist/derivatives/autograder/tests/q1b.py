from otter.test_files import test_case

OK_FORMAT = False

name = "q1b"
points = 2
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q1b_public(g_prime):
    import numpy as np
    assert callable(g_prime), 'Define g_prime as a function of x.'
    value = g_prime(1.0)
    assert np.ndim(value) == 0, 'g_prime(1.0) should return a single number.'
    g = lambda t: np.sqrt(t) * np.exp(t)
    numeric = (g(1.0 + 1e-05) - g(1.0 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'g_prime(1.0) disagrees with a centered difference of g.'

@test_case(points=None, hidden=True)
def test_q1b_hidden(g_prime):
    import numpy as np

    def exact(t):
        return np.exp(t) * (np.sqrt(t) + 0.5 / np.sqrt(t))
    assert np.isclose(g_prime(4.0), 2.25 * np.exp(4.0), rtol=1e-10)
    xs = np.array([0.01, 0.25, 0.5, 2.0, 3.5, 7.0])
    got = np.asarray(g_prime(xs), dtype=float)
    assert got.shape == xs.shape
    assert np.allclose(got, exact(xs), rtol=1e-10, atol=0)
    grid = np.linspace(0.1, 3.0, 6).reshape(2, 3)
    assert np.allclose(np.asarray(g_prime(grid), dtype=float), exact(grid), rtol=1e-10)

