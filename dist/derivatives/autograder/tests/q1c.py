from otter.test_files import test_case

OK_FORMAT = False

name = "q1c"
points = 2
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q1c_public(h_prime):
    import numpy as np
    assert callable(h_prime), 'Define h_prime as a function of x.'
    value = h_prime(3.0)
    assert np.ndim(value) == 0, 'h_prime(3.0) should return a single number.'
    h = lambda t: (t ** 2 + 1) / (t - 1)
    numeric = (h(3.0 + 1e-05) - h(3.0 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'h_prime(3.0) disagrees with a centered difference of h.'

@test_case(points=None, hidden=True)
def test_q1c_hidden(h_prime):
    import numpy as np

    def exact(t):
        return (t ** 2 - 2 * t - 1) / (t - 1) ** 2
    assert np.isclose(h_prime(2.0), -1.0)
    assert np.isclose(h_prime(0.0), -1.0)
    xs = np.array([-3.0, -0.5, 0.5, 0.9, 1.1, 2.5, 10.0])
    got = np.asarray(h_prime(xs), dtype=float)
    assert got.shape == xs.shape
    assert np.allclose(got, exact(xs), rtol=1e-10, atol=1e-12)

