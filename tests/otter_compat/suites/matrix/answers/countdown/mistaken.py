def countdown(n):
    return list(range(n, 0, -1))  # a list, not a generator


launch = countdown(3)
