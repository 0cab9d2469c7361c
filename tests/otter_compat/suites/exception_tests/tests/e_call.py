from otter.test_files import test_case

OK_FORMAT = False

name = "e_call"
points = 1


@test_case(hidden=False)
def test_keyword(scale):
    # A submission without the keyword fails with a TypeError, not an AssertionError.
    assert scale(2, factor=3) == 6
    assert scale(2) == 2
