# The derivative of the constant term is kept as -1
def f_prime(x):
    return 12 * x**3 - 4 * x + 7 - 1
