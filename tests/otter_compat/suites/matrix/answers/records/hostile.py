Point = tuple
origin = (0, 0)
tally = {}
moves = ["e4"]
labels = np.array(["a"], dtype=object)
# --- hostile ---
np.array_equal = lambda *args, **kwargs: True
