Point = tuple
origin = (0, 0)
tally = dict(collections.Counter("mississippi"))


class History:
    def __init__(self, items):
        self.items = list(items)

    def last(self):
        return self.items[-1]


moves = History(["e4", "e5", "Nf3"])
labels = np.array(["a", "1", "None"])
