def harmonic(n):
    return sum(fractions.Fraction(1, k) for k in range(1, n + 1))


def with_tax(price):
    return (price * decimal.Decimal("1.08")).quantize(decimal.Decimal("0.01"))
