def days_between(start, end):
    return end - start


def next_meeting(after):
    return after + dt.timedelta(weeks=1)


launch_day = dt.date(2026, 3, 14)
