def roll_dice(n):
    return np.random.randint(1, 7, size=n)
