def clamp(x, low, high):
    return min(low, max(x, high))  # min and max swapped
