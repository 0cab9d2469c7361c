from otter.test_files import test_case

OK_FORMAT = False

name = "e_total"
points = 4


@test_case(hidden=False)
def test_median_sorted(median3):
    assert median3(1, 2, 3) == 2


@test_case(hidden=True)
def test_median_unsorted(median3):
    assert median3(9, 1, 5) == 5
