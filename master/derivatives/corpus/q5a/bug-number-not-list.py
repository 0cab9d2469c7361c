# critical_points is a single number, not a list
def f5_prime(x):
    return 4 * (x - 1) ** 3


critical_points = 1.0
