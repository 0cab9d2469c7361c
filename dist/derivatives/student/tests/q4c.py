from otter.test_files import test_case

OK_FORMAT = False

name = "q4c"
points = 1.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q4c_public(tanh_prime):
    import numpy as np
    assert callable(tanh_prime), 'Define tanh_prime as a function of x.'
    numeric = (np.tanh(0.3 + 1e-05) - np.tanh(0.3 - 1e-05)) / 2e-05
    assert np.isclose(tanh_prime(0.3), numeric, rtol=1e-06), 'tanh_prime(0.3) disagrees with a centered difference of tanh.'

