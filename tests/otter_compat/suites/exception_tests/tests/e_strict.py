from otter.test_files import test_case

OK_FORMAT = False

name = "e_strict"
points = 3
all_or_nothing = True


@test_case(hidden=False)
def test_shout(shout):
    assert shout("hi") == "HI!"


@test_case(hidden=True)
def test_shout_empty(shout):
    assert shout("") == "!"
