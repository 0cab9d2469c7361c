# Power rule applied term by term in a loop over {power: coefficient}
def f_prime(x):
    terms = {4: 3, 2: -2, 1: 7, 0: -1}  # f(x) = sum of c * x^n
    total = 0 * x
    for n, c in terms.items():
        if n > 0:
            total = total + n * c * x ** (n - 1)
    return total
