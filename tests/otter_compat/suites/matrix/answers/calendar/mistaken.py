def days_between(start, end):
    return (end - start).days  # a number, not a timedelta


def next_meeting(after):
    return after + dt.timedelta(days=6)


launch_day = dt.datetime(2026, 3, 14)
