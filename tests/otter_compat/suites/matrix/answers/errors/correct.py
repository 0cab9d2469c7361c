class NegativeInputError(ValueError):
    """A negative number where a square root was asked for."""


def safe_sqrt(x):
    if x < 0:
        raise NegativeInputError(f"cannot take the square root of {x}")
    return x**0.5
