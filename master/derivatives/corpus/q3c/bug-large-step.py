# A coarse step h = 1e-3 instead of the default 1e-6
def y_upper(x):
    return 3 * np.sqrt(1 - x**2 / 4)


numerical_slope = centered_diff(y_upper, 1.0, 1e-3)
