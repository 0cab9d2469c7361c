from otter.test_files import test_case

OK_FORMAT = False

name = "q_shuffled"
points = 1


@test_case(hidden=True)
def test_order(order):
    assert order == ["c", "a", "b", "e", "d"]
