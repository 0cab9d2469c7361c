noise = np.zeros(3)
# --- hostile ---
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
