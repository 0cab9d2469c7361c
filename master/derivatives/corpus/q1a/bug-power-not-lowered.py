# The power rule applied without lowering the exponent
def f_prime(x):
    return 12 * x**4 - 4 * x**2 + 7 * x
