# d/du sin(u) taken as -cos(u)
def p_prime(x):
    return -np.cos(x**3) * 3 * x**2
