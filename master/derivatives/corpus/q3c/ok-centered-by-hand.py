# The centered difference written out by hand with h = 1e-6
y_upper = lambda x: 3 * np.sqrt(1 - x**2 / 4)

h = 1e-6
numerical_slope = (y_upper(1.0 + h) - y_upper(1.0 - h)) / (2 * h)
