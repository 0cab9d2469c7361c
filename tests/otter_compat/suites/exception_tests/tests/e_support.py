from otter.test_files import test_case

OK_FORMAT = False

name = "e_support"
points = 1


@test_case(hidden=False)
def test_speed(speed):
    from tolerance import near

    assert near(speed(100, 4), 25.0)
