from otter.test_files import test_case

OK_FORMAT = False

name = "e_env"
points = 2


@test_case(hidden=False)
def test_legs(env):
    legs = [key for key in env if key.startswith("leg_")]
    assert len(legs) == 2 and env["unit"] == "km"
    assert len(env) > len(legs) and set(env.keys()) >= set(legs)


@test_case(hidden=True)
def test_absent_name_is_none(bonus_leg, unit):
    # A parameter that names nothing in the notebook is passed as None.
    assert bonus_leg is None and unit == "km"
