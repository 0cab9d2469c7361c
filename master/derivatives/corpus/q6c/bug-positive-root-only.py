# Keeps only the positive square root
def f6(x):
    return x**3 - x


def f6_prime(x):
    return 3 * x**2 - 1


mvt_secant_slope = (f6(2.0) - f6(-2.0)) / (2.0 - (-2.0))
mvt_points = [np.sqrt((mvt_secant_slope + 1) / 3)]
