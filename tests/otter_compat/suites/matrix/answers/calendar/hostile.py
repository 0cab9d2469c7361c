def days_between(start, end):
    return (end - start).days


def next_meeting(after):
    return after


launch_day = "2026-03-14"
# --- hostile ---
import datetime

datetime.timedelta = lambda *args, **kwargs: 59
