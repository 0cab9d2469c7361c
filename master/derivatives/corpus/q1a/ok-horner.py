# Horner's scheme instead of the expanded polynomial
def f_prime(x):
    """f'(x) for f(x) = 3x^4 - 2x^2 + 7x - 1."""
    return (12 * x**2 - 4) * x + 7
