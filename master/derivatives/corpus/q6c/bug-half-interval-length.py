# Divides by 2 instead of the interval length 4
def f6(x):
    return x**3 - x


def f6_prime(x):
    return 3 * x**2 - 1


mvt_secant_slope = (f6(2.0) - f6(-2.0)) / 2
c = np.sqrt((mvt_secant_slope + 1) / 3)
mvt_points = [-c, c]
