# Differentiates the expanded polynomial x^4 - 4x^3 + 6x^2 - 4x + 1 term by term
def f5_prime(x):
    return 4 * x**3 - 12 * x**2 + 12 * x - 4


critical_points = [1]
