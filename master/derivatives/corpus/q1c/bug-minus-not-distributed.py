# Numerator expanded without distributing the minus: 2x^2 - 2x - x^2 + 1
def h_prime(x):
    return (2 * x**2 - 2 * x - x**2 + 1) / (x - 1) ** 2
