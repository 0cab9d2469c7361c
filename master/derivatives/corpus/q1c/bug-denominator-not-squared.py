# The denominator of the quotient rule is not squared
def h_prime(x):
    return (2 * x * (x - 1) - (x**2 + 1)) / (x - 1)
