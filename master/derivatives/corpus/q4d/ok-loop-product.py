# The product built up layer by layer in a loop
d = expit(2.0) * (1 - expit(2.0))  # sigma'(2)
vanishing_products = {}
for L in [1, 5, 10, 20]:
    product = 1.0
    for _ in range(L):
        product *= d
    vanishing_products[L] = product
