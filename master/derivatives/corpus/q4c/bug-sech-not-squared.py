# sech(x) instead of sech^2(x)
def tanh_prime(x):
    return 1 / np.cosh(x)
