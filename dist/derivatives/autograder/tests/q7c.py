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

@test_case(points=None, hidden=True)
def test_q7c_hidden(h_values, forward_errors, centered_errors, best_h_centered):
    import numpy as np

    def f(t):
        return t * np.log(t + np.exp(-t))
    x = 1.5
    e = np.exp(-x)
    true = np.log(x + e) + x * (1 - e) / (x + e)
    assert np.allclose(np.asarray(h_values, dtype=float), [0.1, 0.001, 1e-06, 1e-10, 1e-15], rtol=0)
    fwd = np.asarray(forward_errors, dtype=float)
    ctr = np.asarray(centered_errors, dtype=float)
    for i, h in enumerate([0.1, 0.001]):
        assert np.isclose(fwd[i], abs((f(x + h) - f(x)) / h - true), rtol=0.0001)
        assert np.isclose(ctr[i], abs((f(x + h) - f(x - h)) / (2 * h) - true), rtol=0.0001)
    assert 1e-07 < fwd[2] < 1e-06 and ctr[2] < 1e-08
    assert 1e-08 < ctr[3] < 0.0001 and fwd[4] > 0.01 and (ctr[4] > 0.01)
    assert float(best_h_centered) == 1e-06

