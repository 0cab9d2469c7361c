# Multiplies sigma(2) instead of sigma'(2)
vanishing_products = {L: sigmoid(2.0) ** L for L in [1, 5, 10, 20]}
