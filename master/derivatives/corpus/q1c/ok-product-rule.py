# Product rule on (x^2 + 1) * (x - 1)^(-1)
def h_prime(x):
    return 2 * x / (x - 1) - (x**2 + 1) / (x - 1) ** 2
