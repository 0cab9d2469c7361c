# Uses the maximum sigma'(0) = 0.25 instead of sigma'(2)
vanishing_products = {L: 0.25**L for L in [1, 5, 10, 20]}
