# Implicit formula for the function; the slope checked on the explicit upper half
def dydx_ellipse(x, y):
    return -(9 / 4) * (x / y)


# y = 3 sqrt(1 - x^2/4)  =>  y' = -3x / (4 sqrt(1 - x^2/4)), at x = 1
slope_at_point = -3 * 1.0 / (4 * np.sqrt(1 - 1.0**2 / 4))
