# The /4 lands outside the square root: 3 sqrt(1 - x^2) / 4
def y_upper(x):
    return 3 * np.sqrt(1 - x**2) / 4


numerical_slope = centered_diff(y_upper, 1.0)
