# The 4 and the 9 mixed up: -4x / (9y)
def dydx_ellipse(x, y):
    return -4 * x / (9 * y)


slope_at_point = dydx_ellipse(1.0, 3 * np.sqrt(3) / 2)
