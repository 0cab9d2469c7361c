# ** 0.5 for the square root, and the default step passed explicitly
def y_upper(x):
    return 3 * (1 - x**2 / 4) ** 0.5


numerical_slope = centered_diff(y_upper, 1.0, 1e-6)
