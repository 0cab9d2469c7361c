noise = np.random.default_rng(42).normal(0, 1, 3)  # a generator of its own
