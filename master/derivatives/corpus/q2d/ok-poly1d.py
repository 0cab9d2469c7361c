# Expand (1 + x^2)^10 with np.poly1d and differentiate the polynomial
s_poly = np.poly1d([1, 0, 1]) ** 10


def s_prime(x):
    return s_poly.deriv()(x)
