# The point's y misread as 3 sqrt(3/2) instead of 3 sqrt(3) / 2
def dydx_ellipse(x, y):
    return -9 * x / (4 * y)


slope_at_point = dydx_ellipse(1.0, 3 * np.sqrt(3 / 2))
