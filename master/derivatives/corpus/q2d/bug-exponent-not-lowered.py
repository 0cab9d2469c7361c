# Power rule without lowering the exponent
def s_prime(x):
    return 10 * (1 + x**2) ** 10 * 2 * x
