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
def test_q7c_hidden(h_values, forward_errors, centered_errors, best_h_centered, f7_prime):
    import numpy as np

    def f(t):
        return t * np.log(t + np.exp(-t))
    x = 1.5
    e = np.exp(-x)
    true = np.log(x + e) + x * (1 - e) / (x + e)
    steps = [0.1, 0.001, 1e-06, 1e-10, 1e-15]
    assert np.allclose(np.asarray(h_values, dtype=float), steps, rtol=0)
    fwd = np.asarray(forward_errors, dtype=float)
    ctr = np.asarray(centered_errors, dtype=float)
    assert fwd.shape == ctr.shape == (5,)

    def right_against_the_truth():
        for i, h in enumerate(steps[:2]):
            if not np.isclose(fwd[i], abs((f(x + h) - f(x)) / h - true), rtol=0.0001):
                return False
            if not np.isclose(ctr[i], abs((f(x + h) - f(x - h)) / (2 * h) - true), rtol=0.0001):
                return False
        return 1e-07 < fwd[2] < 1e-06 and ctr[2] < 1e-08 and (1e-08 < ctr[3] < 0.0001) and (fwd[4] > 0.01) and (ctr[4] > 0.01) and (float(best_h_centered) == 1e-06)

    def right_against_own_derivative():
        try:
            own = float(f7_prime(1.5))
        except Exception:
            return False
        own_fwd = [abs((f(x + h) - f(x)) / h - own) for h in steps]
        own_ctr = [abs((f(x + h) - f(x - h)) / (2 * h) - own) for h in steps]
        return np.allclose(fwd, own_fwd, rtol=0.001, atol=1e-09) and np.allclose(ctr, own_ctr, rtol=0.001, atol=1e-09) and (float(best_h_centered) == steps[int(np.argmin(own_ctr))])
    assert right_against_the_truth() or right_against_own_derivative()

