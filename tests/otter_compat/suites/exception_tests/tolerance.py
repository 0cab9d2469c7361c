"""A support file shipped in the autograder zip (``otter generate --files``)."""


def near(got, want, tol=1e-9):
    return abs(got - want) <= tol
