# Uses the explicit upper half and ignores y, so the lower half gets the wrong sign
def dydx_ellipse(x, y):
    return -3 * x / (4 * np.sqrt(1 - x**2 / 4))


slope_at_point = dydx_ellipse(1.0, 3 * np.sqrt(3) / 2)
