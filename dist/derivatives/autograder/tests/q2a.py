from otter.test_files import test_case

OK_FORMAT = False

name = "q2a"
points = 1.25
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q2a_public(p_prime):
    import numpy as np
    assert callable(p_prime), 'Define p_prime as a function of x.'
    value = p_prime(0.7)
    assert np.ndim(value) == 0, 'p_prime(0.7) should return a single number.'
    p = lambda t: np.sin(t ** 3)
    numeric = (p(0.7 + 1e-05) - p(0.7 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'p_prime(0.7) disagrees with a centered difference of p.'

@test_case(points=None, hidden=True)
def test_q2a_hidden(p_prime):
    import numpy as np
    assert np.isclose(p_prime(1.0), 3 * np.cos(1.0))
    xs = np.array([-1.7, -1.0, 0.0, 0.3, 1.0, 1.4, 2.2])
    got = np.asarray(p_prime(xs), dtype=float)
    assert got.shape == xs.shape
    assert np.allclose(got, 3 * xs ** 2 * np.cos(xs ** 3), rtol=1e-10, atol=1e-12)

