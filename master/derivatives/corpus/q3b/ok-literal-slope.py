# The slope written as its exact value -sqrt(3)/2 (worked out by hand)
def dydx_ellipse(x, y):
    return -9 * x / (4 * y)


slope_at_point = -np.sqrt(3) / 2  # -9 * 1 / (4 * 3 sqrt(3) / 2) = -sqrt(3) / 2
