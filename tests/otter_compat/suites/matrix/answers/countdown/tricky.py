def countdown(n):
    while n > 0:
        yield n
        n -= 1


launch = countdown(3)
next(launch)  # already started: the test sees 2 first
