# Outer sin(u), inner u = x^3: p'(x) = cos(u) * du/dx
def p_prime(x):
    u = x**3  # inner function
    du = 3 * x * x  # its derivative
    return np.cos(u) * du
