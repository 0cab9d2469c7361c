def harmonic(n):
    return sum(1 / k for k in range(1, n + 1))  # a float


def with_tax(price):
    return price * decimal.Decimal("1.08")  # not rounded to the cent
