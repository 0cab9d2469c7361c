# Quotient-rule numerator expanded: (x^2 - 2x - 1) / (x - 1)^2
def h_prime(x):
    return (x**2 - 2 * x - 1) / (x - 1) ** 2
