# The ratio upside down: -4y / (9x)
def dydx_ellipse(x, y):
    return -4 * y / (9 * x)


slope_at_point = dydx_ellipse(1.0, 3 * np.sqrt(3) / 2)
