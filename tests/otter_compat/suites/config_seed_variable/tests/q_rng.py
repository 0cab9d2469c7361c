from otter.test_files import test_case

OK_FORMAT = False

name = "q_rng"
points = 2


@test_case(hidden=False)
def test_draws(draws):
    # Otter sets SEED = 11 at the top of every cell (seed_variable).
    assert [int(v) for v in draws] == [1, 1, 7, 4, 5]
