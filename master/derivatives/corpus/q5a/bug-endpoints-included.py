# Adds the endpoints of part (d)'s interval, which are not critical points
def f5_prime(x):
    return 4 * (x - 1) ** 3


critical_points = [-1.0, 1.0, 3.0]
