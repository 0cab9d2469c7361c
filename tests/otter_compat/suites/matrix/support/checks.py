"""Shipped with the assignment (Otter Assign's ``files:``): the tests import these checks."""


def close_to(got, want, tol=1e-9):
    """Whether ``got`` is within a relative ``tol`` of ``want``."""
    return abs(got - want) <= tol * max(1.0, abs(want))
