from otter.test_files import test_case

OK_FORMAT = False

name = "q_total"
points = 2


@test_case(hidden=False)
def test_total(total):
    assert total == 15
