from otter.test_files import test_case

OK_FORMAT = False

name = "q3c"
points = 1
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q3c_public(y_upper, numerical_slope):
    import numpy as np
    assert callable(y_upper), 'Define y_upper as a function of x.'
    assert np.isclose(y_upper(1.2), 3 * np.sqrt(1 - 1.2 ** 2 / 4)), 'y_upper(1.2) is not 3*sqrt(1 - 1.2**2/4).'
    assert np.ndim(numerical_slope) == 0 and np.isfinite(numerical_slope), 'numerical_slope should be one finite number.'

@test_case(points=None, hidden=True)
def test_q3c_hidden(y_upper, numerical_slope):
    import numpy as np
    xs = np.array([-1.9, -1.0, 0.0, 0.5, 1.5])
    got = np.asarray(y_upper(xs), dtype=float)
    assert got.shape == xs.shape
    assert np.allclose(got, 3 * np.sqrt(1 - xs ** 2 / 4), rtol=1e-12)
    assert abs(numerical_slope - -np.sqrt(3) / 2) < 1e-08

