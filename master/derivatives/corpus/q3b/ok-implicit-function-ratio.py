# dy/dx = -F_x / F_y for F(x, y) = x^2/4 + y^2/9 - 1
def dydx_ellipse(x, y):
    F_x = 2 * x / 4
    F_y = 2 * y / 9
    return -F_x / F_y


slope_at_point = dydx_ellipse(1, 3 * 3**0.5 / 2)
