from otter.test_files import test_case

OK_FORMAT = False

name = "q2b"
points = 1.25
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q2b_public(q_prime):
    import numpy as np
    assert callable(q_prime), 'Define q_prime as a function of x.'
    value = q_prime(0.3)
    assert np.ndim(value) == 0, 'q_prime(0.3) should return a single number.'
    q = lambda t: np.log(np.cos(t))
    numeric = (q(0.3 + 1e-05) - q(0.3 - 1e-05)) / 2e-05
    assert np.isclose(value, numeric, rtol=1e-06), 'q_prime(0.3) disagrees with a centered difference of q.'

@test_case(points=None, hidden=True)
def test_q2b_hidden(q_prime):
    import numpy as np
    assert np.isclose(q_prime(0.5), -np.tan(0.5), rtol=1e-12)
    xs = np.array([0.05, 0.5, 0.8, 1.0, 1.3, 1.5])
    got = np.asarray(q_prime(xs), dtype=float)
    assert got.shape == xs.shape
    assert np.allclose(got, -np.tan(xs), rtol=1e-10)

