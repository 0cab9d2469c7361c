# d/dx ln(u) taken as 1/u without the inner derivative 1 - e^-x


def f7_prime(x):
    return np.log(x + np.exp(-x)) + x / (x + np.exp(-x))
