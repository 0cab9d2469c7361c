# Quotient-rule numerator in the wrong order: (u v' - u' v) / v^2
def h_prime(x):
    return ((x**2 + 1) * 1 - 2 * x * (x - 1)) / (x - 1) ** 2
