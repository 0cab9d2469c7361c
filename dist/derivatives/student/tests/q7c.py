from otter.test_files import test_case

OK_FORMAT = False

name = "q7c"
points = 3.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q7c_public(h_values, forward_errors, centered_errors, best_h_centered):
    import numpy as np
    assert len(h_values) == 5, 'h_values should list the five steps.'
    assert np.shape(forward_errors) == (5,) and np.shape(centered_errors) == (5,), 'Record one error per step.'
    assert np.all(np.asarray(forward_errors) >= 0) and np.all(np.asarray(centered_errors) >= 0), 'Errors are absolute values.'
    assert best_h_centered in list(h_values), 'best_h_centered should be one of h_values.'

