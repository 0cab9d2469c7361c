noise = np.random.normal(0, 1, 3)
