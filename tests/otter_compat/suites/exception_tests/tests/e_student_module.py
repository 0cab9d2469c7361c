from otter.test_files import test_case

OK_FORMAT = False

name = "e_student_module"
points = 1


@test_case(hidden=False)
def test_units_module():
    # units.py comes with the submission (Otter Assign's student_files), not the autograder.
    import units

    assert round(units.to_km(10), 6) == 16.09344
