from otter.test_files import test_case

OK_FORMAT = False

name = "q5c"
points = 1
all_or_nothing = True

@test_case(points=None, hidden=False, 
    success_message="Public sanity checks passed. These are only a few light checks: the hidden tests run after you submit and decide your score.", 
    failure_message="A public sanity check failed (details below). Fix it first: the hidden tests that run after you submit are stricter.")
def test_q5c_public(sign_change, critical_point_type):
    assert len(sign_change) == 2, 'sign_change should be a pair (left sign, right sign).'
    assert all((s in (-1, 0, 1) for s in sign_change)), 'Each sign should be -1, 0 or 1.'
    allowed = {'local minimum', 'local maximum', 'neither'}
    assert str(critical_point_type).strip().lower() in allowed, "critical_point_type must be 'local minimum', 'local maximum' or 'neither'."

