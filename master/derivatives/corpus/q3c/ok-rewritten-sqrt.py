# 3 sqrt(1 - x^2/4) = (3/2) sqrt(4 - x^2)
def y_upper(x):
    return 1.5 * np.sqrt(4 - x**2)


numerical_slope = centered_diff(y_upper, 1.0)
