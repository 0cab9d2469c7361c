from otter.test_files import test_case

OK_FORMAT = False

name = "q5e"
points = 1.5
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q5e_public(plot_data):
    import numpy as np
    assert isinstance(plot_data, dict), 'plot_data should be a dict.'
    assert set(plot_data) == {'x', 'f', 'f_prime', 'f_double_prime'}, "Use the keys 'x', 'f', 'f_prime', 'f_double_prime'."
    for key, values in plot_data.items():
        assert np.shape(values) == (300,), f'plot_data[{key!r}] should hold 300 values.'

