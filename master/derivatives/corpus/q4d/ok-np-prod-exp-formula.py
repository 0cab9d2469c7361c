# sigma'(2) = e^-2 / (1 + e^-2)^2, multiplied L times with np.prod
d = np.exp(-2.0) / (1 + np.exp(-2.0)) ** 2
vanishing_products = {L: np.prod(np.full(L, d)) for L in (1, 5, 10, 20)}
