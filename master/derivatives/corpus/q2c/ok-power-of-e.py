# np.e raised to the power instead of np.exp
def r_prime(x):
    inner = -(x**2) / 2
    d_inner = -x
    return np.e**inner * d_inner
