from otter.test_files import test_case

OK_FORMAT = False

name = "q5b"
points = 1
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q5b_public(f5_double_prime, second_derivative_at_critical, second_test_conclusive):
    import numpy as np
    assert callable(f5_double_prime), 'Define f5_double_prime as a function of x.'
    d = lambda t: 4 * (t - 1) ** 3
    numeric = (d(2.5 + 1e-05) - d(2.5 - 1e-05)) / 2e-05
    assert np.isclose(f5_double_prime(2.5), numeric, rtol=1e-06), "f5_double_prime(2.5) disagrees with a centered difference of f'."
    assert np.ndim(second_derivative_at_critical) == 0, 'second_derivative_at_critical should be one number.'
    assert isinstance(second_test_conclusive, (bool, np.bool_)), 'second_test_conclusive should be True or False.'

