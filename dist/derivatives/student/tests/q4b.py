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

