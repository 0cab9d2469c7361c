# tanh'(x) = sech^2(x) = 1 / cosh^2(x)
def tanh_prime(x):
    return 1 / np.cosh(x) ** 2
