# np.roots on f' returns the triple root as three slightly different numbers
def f5_prime(x):
    return 4 * (x - 1) ** 3


critical_points = list(np.roots([4, -12, 12, -4]).real)
