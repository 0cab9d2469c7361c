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

@test_case(points=None, hidden=True)
def test_q5e_hidden(plot_data, f5_prime, f5_double_prime):
    import numpy as np
    x = np.linspace(-0.5, 2.5, 300)
    assert np.allclose(np.asarray(plot_data['x'], dtype=float), x)
    assert np.allclose(np.asarray(plot_data['f'], dtype=float), (x - 1) ** 4)

    def matches(key, exact, own):
        got = np.asarray(plot_data[key], dtype=float)
        if np.allclose(got, exact, rtol=1e-10, atol=1e-12):
            return True
        try:
            return np.allclose(got, np.asarray(own(x), dtype=float), rtol=1e-10, atol=1e-12)
        except Exception:
            return False
    assert matches('f_prime', 4 * (x - 1) ** 3, f5_prime)
    assert matches('f_double_prime', 12 * (x - 1) ** 2, f5_double_prime)

