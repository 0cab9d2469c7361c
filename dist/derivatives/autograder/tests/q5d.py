from otter.test_files import test_case

OK_FORMAT = False

name = "q5d"
points = 1.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q5d_public(global_min_value, global_min_x, global_max_value, global_max_x):
    import numpy as np
    for name, value in [('global_min_value', global_min_value), ('global_max_value', global_max_value)]:
        assert np.ndim(value) == 0 and np.isfinite(value), f'{name} should be one number.'
    for name, points in [('global_min_x', global_min_x), ('global_max_x', global_max_x)]:
        xs = np.asarray(points, dtype=float)
        assert xs.ndim == 1 and xs.size >= 1, f'{name} should be a list of numbers.'

@test_case(points=None, hidden=True)
def test_q5d_hidden(global_min_value, global_min_x, global_max_value, global_max_x):
    import numpy as np
    assert np.isclose(float(global_min_value), 0.0, atol=1e-12)
    assert np.isclose(float(global_max_value), 16.0)
    assert np.array_equal(np.unique(np.round(np.asarray(global_min_x, dtype=float), 9)), [1.0])
    assert np.array_equal(np.unique(np.round(np.asarray(global_max_x, dtype=float), 9)), [-1.0, 3.0])

