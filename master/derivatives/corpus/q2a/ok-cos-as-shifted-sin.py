# cos written as a shifted sine: cos(t) = sin(t + pi/2)
def p_prime(x):
    return 3 * x**2 * np.sin(x**3 + np.pi / 2)
