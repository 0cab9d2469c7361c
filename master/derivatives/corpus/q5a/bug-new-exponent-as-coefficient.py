# Power rule with the new exponent 3 as the coefficient instead of the old one 4
def f5_prime(x):
    return 3 * (x - 1) ** 3


critical_points = [1.0]
