# 1 - e^-x written as -expm1(-x)


def f7_prime(x):
    return np.log(x + np.exp(-x)) - x * np.expm1(-x) / (x + np.exp(-x))
