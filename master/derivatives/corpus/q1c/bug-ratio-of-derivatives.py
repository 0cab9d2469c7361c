# Derivative of the numerator over derivative of the denominator: 2x / 1
def h_prime(x):
    return 2 * x / 1
