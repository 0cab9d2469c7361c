from otter.test_files import test_case

OK_FORMAT = False

name = "e_area"
points = None


@test_case(points=1, hidden=False, success_message="circle_area grows with r")
def test_area_grows(circle_area):
    assert circle_area(2) > circle_area(1) > 0


@test_case(points=2, hidden=True, failure_message="the area of a circle is pi r squared")
def test_area_value(circle_area):
    import math

    assert math.isclose(circle_area(2), 4 * math.pi)
