# The minus sign is lost when y' is isolated
def dydx_ellipse(x, y):
    return 9 * x / (4 * y)


slope_at_point = dydx_ellipse(1.0, 3 * np.sqrt(3) / 2)
